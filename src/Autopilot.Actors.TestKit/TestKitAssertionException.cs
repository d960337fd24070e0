using Xunit.Sdk;

namespace Autopilot.Actors.TestKit;

/// <summary>A TestKit expectation that was not met; the message says what was expected, what arrived, and when.</summary>
public sealed class TestKitAssertionException(string message) : XunitException(message);

namespace Autopilot.Actors.TestKit;

/// <summary>
/// A stand-in actor a test uses as sender, recipient or watcher, then asserts on what it received. Create one with
/// <see cref="TestKit.CreateTestProbe"/>.
/// </summary>
public sealed class TestProbe : TestKitBase
{
    internal TestProbe(ActorSystem system, TestKitSettings settings, string name)
        : base(settings)
    {
        Sys = system;
        InitializeProbe(name);
    }

    /// <inheritdoc />
    public override ActorSystem Sys { get; }

    /// <summary>The probe's reference: give it to actors under test.</summary>
    public IActorRef Ref => ProbeRef;

    /// <summary>Sends <paramref name="message"/> to <paramref name="target"/> as if the probe had sent it.</summary>
    public void Tell(IActorRef target, object message) => Send(target, message);
}

using Autopilot.Actors;
using Xunit;

namespace Autopilot.Actors.Tests.Actor;

public sealed class AskSpec() : TestKit.TestKit("autopilot.actor.ask-timeout = 3s", virtualTime: true)
{
    [Fact]
    public async Task Ask_returns_the_reply()
    {
        var echo = ActorOf(Props.Create<EchoActor>());
        Assert.Equal("ping", await echo.Ask<string>("ping"));
    }

    [Fact]
    public async Task Ask_uses_the_configured_default_timeout_and_says_where_it_timed_out()
    {
        var silent = ActorOf(Props.Create(() => new SilentActor()), "silent");
        var ask = silent.Ask<string>("anyone?");
        AwaitCondition(() => Sys.Scheduler.ActiveTimers > 0);
        Time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(ask.IsCompleted);
        Time.Advance(TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<AskTimeoutException>(() => ask);
        Assert.Contains("autopilot://test/user/silent", error.Message);
        Assert.Contains("3000 ms", error.Message);
        Assert.Contains(nameof(String), error.Message);
    }

    [Fact]
    public async Task Ask_to_a_dead_actor_fails_at_once()
    {
        var echo = ActorOf(Props.Create<EchoActor>());
        Watch(echo);
        Sys.Stop(echo);
        ExpectTerminated(echo);
        var error = await Assert.ThrowsAsync<AskTimeoutException>(() => echo.Ask<string>("hello?"));
        Assert.Contains("terminated", error.Message);
    }

    [Fact]
    public async Task A_failure_reply_is_rethrown_and_a_wrong_type_is_a_clear_cast_error()
    {
        var failing = ActorOf(Props.Create(() => new FailureReplier()));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => failing.Ask<string>("fail"));
        Assert.Equal("nope", error.Message);
        var cast = await Assert.ThrowsAsync<InvalidCastException>(() => failing.Ask<int>("text"));
        Assert.Contains("Int32", cast.Message);
    }

    [Fact]
    public async Task Ask_honours_cancellation()
    {
        var silent = ActorOf(Props.Create(() => new SilentActor()));
        using var cancellation = new CancellationTokenSource();
        var ask = silent.Ask<string>("anyone?", cancellationToken: cancellation.Token);
        cancellation.Cancel();
        await Assert.ThrowsAsync<TaskCanceledException>(() => ask);
    }

    private sealed class SilentActor : ReceiveActor
    {
        public SilentActor() => ReceiveAny(_ => { });
    }

    private sealed class FailureReplier : ReceiveActor
    {
        public FailureReplier()
        {
            Receive<string>(_ => Sender.Tell(new Status.Failure(new InvalidOperationException("nope"))), s => s == "fail");
            Receive<string>(s => Sender.Tell(s));
        }
    }
}

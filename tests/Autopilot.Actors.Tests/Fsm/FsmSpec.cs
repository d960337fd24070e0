using Autopilot.Actors;
using Xunit;

namespace Autopilot.Actors.Tests.Fsm;

public sealed class FsmSpec() : TestKit.TestKit(virtualTime: true)
{
    public enum DoorState
    {
        Closed,
        Open,
        Locked,
    }

    [Fact]
    public void Transitions_carry_data_reply_and_notify_subscribers()
    {
        var door = ActorOf(Props.Create(() => new Door(TestActor)));
        door.Tell(new SubscribeTransitionCallBack(TestActor));
        Assert.Equal(DoorState.Closed, ExpectMsg<CurrentState<DoorState>>().State);

        door.Tell("open", TestActor);
        ExpectMsg("opening");
        var transition = ExpectMsg<Transition<DoorState>>();
        Assert.Equal((DoorState.Closed, DoorState.Open), (transition.From, transition.To));

        door.Tell("count?", TestActor);
        ExpectMsg(1); // Using(...) changed the data: one opening so far
    }

    [Fact]
    public void Stay_does_not_run_transition_handlers()
    {
        var door = ActorOf(Props.Create(() => new Door(TestActor)));
        door.Tell(new SubscribeTransitionCallBack(TestActor));
        ExpectMsg<CurrentState<DoorState>>();
        door.Tell("knock", TestActor);
        ExpectMsg("nobody home");
        ExpectNoMsg();
    }

    [Fact]
    public void A_state_timeout_fires_on_virtual_time_and_is_reset_by_other_messages()
    {
        var door = ActorOf(Props.Create(() => new Door(TestActor)));
        door.Tell(new SubscribeTransitionCallBack(TestActor));
        ExpectMsg<CurrentState<DoorState>>();
        door.Tell("open", TestActor);
        ExpectMsg("opening");
        ExpectMsg<Transition<DoorState>>();

        Time.Advance(TimeSpan.FromSeconds(20));
        door.Tell("count?", TestActor); // any message in the state restarts its 30 s timeout
        ExpectMsg(1);
        Time.Advance(TimeSpan.FromSeconds(20));
        ExpectNoMsg();
        Time.Advance(TimeSpan.FromSeconds(10));
        var closed = ExpectMsg<Transition<DoorState>>();
        Assert.Equal(DoorState.Closed, closed.To);
    }

    [Fact]
    public void ForMax_overrides_the_state_timeout_and_stop_runs_OnTermination()
    {
        var door = ActorOf(Props.Create(() => new Door(TestActor)));
        Watch(door);
        door.Tell(new SubscribeTransitionCallBack(TestActor));
        ExpectMsg<CurrentState<DoorState>>();
        door.Tell("lock", TestActor);
        ExpectMsg<Transition<DoorState>>();
        Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(DoorState.Closed, ExpectMsg<Transition<DoorState>>().To);
        door.Tell("demolish", TestActor);
        ExpectMsg("terminated in Closed with 0 openings: Normal");
        ExpectTerminated(door);
    }

    [Fact]
    public void An_unhandled_event_is_logged_and_the_state_kept()
    {
        var door = ActorOf(Props.Create(() => new Door(TestActor)));
        EventFilter.Warning("Unhandled event Int32 in state Closed").ExpectOne(() => door.Tell(42, TestActor));
        door.Tell("open", TestActor);
        ExpectMsg("opening");
    }

    private sealed class Door : FSM<DoorState, int>
    {
        public Door(IActorRef reporter)
        {
            StartWith(DoorState.Closed, 0);
            When(DoorState.Closed, e => e.FsmEvent switch
            {
                "open" => GoTo(DoorState.Open).Using(e.StateData + 1).Replying("opening"),
                "knock" => Stay().Replying("nobody home"),
                "lock" => GoTo(DoorState.Locked).ForMax(TimeSpan.FromSeconds(5)),
                "demolish" => Stop(),
                _ => null,
            });
            When(DoorState.Open, e => e.FsmEvent switch
            {
                StateTimeout => GoTo(DoorState.Closed),
                "count?" => Stay().Replying(e.StateData),
                _ => null,
            }, TimeSpan.FromSeconds(30));
            When(DoorState.Locked, e => e.FsmEvent is StateTimeout ? GoTo(DoorState.Closed).Using(0) : null);
            WhenUnhandled(e => e.FsmEvent is "count?" ? Stay().Replying(e.StateData) : null);
            OnTermination(stop => reporter.Tell($"terminated in {stop.TerminatedState} with {stop.StateData} openings: {stop.Reason.GetType().Name}"));
            Initialize();
        }
    }
}

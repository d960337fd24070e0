using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Remote;

namespace Autopilot.Daemon.Cluster;

/// <summary>
/// Downs a member whose process is gone, without waiting for the failure detector and the Split Brain Resolver. When
/// Akka.Remote loses its connection to a member (a crashed or SIGKILLed process's sockets are closed by its kernel),
/// this actor tries to open a TCP connection to the member's remoting port: a connection REFUSED twice in a row means
/// nothing listens there any more (a paused or GC-stalled process still accepts connections into its listen backlog,
/// and a partition times out instead), so the member is downed at once and the singletons move after the removal
/// margin and the lease's expiry. (Akka's leader removes a downed member once the failure detector also marks it
/// unreachable, so this saves the Split Brain Resolver's <c>stable-after</c>, which can then stay long enough for GC
/// pauses.) Anything else — accepted, timed out, unreachable host — is left to the failure
/// detector and the SBR, exactly as without this actor.
/// </summary>
/// <remarks>
/// The lease, not this evidence, keeps two orchestrators apart: a wrongly downed node's singleton cannot act once it
/// lost the lease. The only false positive is a firewall that answers a partition with TCP resets; switch it off
/// (<c>autopilot.cluster.down-crashed-members = off</c>) there.
/// </remarks>
public sealed class CrashedMemberDowning : ReceiveActor
{
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<Address> _probing = [];
    private readonly TimeSpan _confirmAfter;
    private readonly TimeSpan _connectTimeout;

    /// <summary>Creates the actor.</summary>
    /// <param name="confirmAfter">Pause before the second probe (a process restarting on the same port is listening again by then, or is a new incarnation).</param>
    /// <param name="connectTimeout">Longest wait for one probe; a timeout is not evidence of anything.</param>
    public CrashedMemberDowning(TimeSpan confirmAfter, TimeSpan connectTimeout)
    {
        _confirmAfter = confirmAfter;
        _connectTimeout = connectTimeout;
        Receive<DisassociatedEvent>(e => Suspect(e.RemoteAddress));
        Receive<AssociationErrorEvent>(e => Suspect(e.RemoteAddress));
        Receive<Probed>(OnProbed);
    }

    /// <summary>The recipe.</summary>
    public static Props Props(TimeSpan confirmAfter, TimeSpan connectTimeout) =>
        Akka.Actor.Props.Create(() => new CrashedMemberDowning(confirmAfter, connectTimeout));

    /// <inheritdoc />
    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));
        Context.System.EventStream.Subscribe(Self, typeof(AssociationErrorEvent));
    }

    /// <inheritdoc />
    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void Suspect(Address address)
    {
        if (Member(address) is null || !_probing.Add(address))
        {
            return;
        }

        Probe(address, attempt: 1, TimeSpan.Zero);
    }

    private void OnProbed(Probed probed)
    {
        var member = Member(probed.Address);
        if (member is null || probed.Outcome != ProbeOutcome.Refused)
        {
            _probing.Remove(probed.Address);
            return;
        }

        if (probed.Attempt == 1)
        {
            Probe(probed.Address, attempt: 2, _confirmAfter);
            return;
        }

        _probing.Remove(probed.Address);
        _log.Warning("Member {0} ({1}) refuses connections on its remoting port: its process is gone; downing it now", member.Address, member.Status);
        _cluster.Down(member.Address);
    }

    // A member that may still be downed: known, not this node, not already on its way out.
    private Member? Member(Address address)
    {
        if (address == _cluster.SelfAddress)
        {
            return null;
        }

        var state = _cluster.State;
        var member = state.Members.FirstOrDefault(m => m.Address == address) ?? state.Unreachable.FirstOrDefault(m => m.Address == address);
        return member is { Status: MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Joining or MemberStatus.Leaving } ? member : null;
    }

    private void Probe(Address address, int attempt, TimeSpan delay)
    {
        var timeout = _connectTimeout;
        ProbeAsync(address, delay, timeout).PipeTo(Self, success: outcome => new Probed(address, attempt, outcome));
    }

    private static async Task<ProbeOutcome> ProbeAsync(Address address, TimeSpan delay, TimeSpan timeout)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay).ConfigureAwait(false);
        }

        using var client = new TcpClient();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await client.ConnectAsync(address.Host!, address.Port!.Value, cancel.Token).ConfigureAwait(false);
            return ProbeOutcome.Accepted;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return ProbeOutcome.Refused;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return ProbeOutcome.Inconclusive;
        }
    }

    private enum ProbeOutcome
    {
        Accepted,
        Refused,
        Inconclusive,
    }

    private sealed record Probed(Address Address, int Attempt, ProbeOutcome Outcome);
}

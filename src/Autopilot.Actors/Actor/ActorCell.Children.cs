using Autopilot.Actors.Dispatch;

namespace Autopilot.Actors;

internal sealed partial class ActorCell
{
    /// <summary>A child's entry: its reference, restart statistics, and whether a stop is under way.</summary>
    internal sealed class ChildSlot(LocalActorRef child)
    {
        public LocalActorRef Ref { get; } = child;

        public ChildRestartStats Stats { get; } = new();

        public bool Stopping { get; set; }
    }

    private Dictionary<string, ChildSlot>? _children;
    private long _nextGeneratedName;

    public IReadOnlyCollection<IActorRef> Children
    {
        get
        {
            lock (_lock)
            {
                return _children is null ? [] : _children.Values.Where(s => !s.Stopping).Select(s => (IActorRef)s.Ref).ToArray();
            }
        }
    }

    internal IReadOnlyList<ChildSlot> ChildSlots
    {
        get
        {
            lock (_lock)
            {
                return _children is null ? [] : _children.Values.ToArray();
            }
        }
    }

    private bool HasChildren
    {
        get
        {
            lock (_lock)
            {
                return _children is { Count: > 0 };
            }
        }
    }

    private bool HasStoppingChildren
    {
        get
        {
            lock (_lock)
            {
                return _children is not null && _children.Values.Any(s => s.Stopping);
            }
        }
    }

    public IActorRef ActorOf(Props props, string? name = null)
    {
        if (System.IsTerminated)
        {
            throw new ActorSystemTerminatedException($"Cannot create an actor under {Self.Path}: the actor system '{System.Name}' has terminated.");
        }

        name = name is null ? GenerateName() : ActorName.Validate(name);
        var cell = new ActorCell(System, props, Self.Path.Child(name, System.NextUid()), Self);
        lock (_lock)
        {
            if (_terminating)
            {
                throw new InvalidOperationException($"Cannot create child '{name}': {Self.Path} is stopping.");
            }

            _children ??= new Dictionary<string, ChildSlot>(StringComparer.Ordinal);
            if (!_children.TryAdd(name, new ChildSlot(cell.Self)))
            {
                throw new InvalidActorNameException($"Actor name '{name}' is not unique: {Self.Path} already has a child of that name.");
            }
        }

        cell.Mailbox.PostSystem(CreateActor.Instance);
        return cell.Self;
    }

    public IActorRef Child(string name)
    {
        lock (_lock)
        {
            return _children is not null && _children.TryGetValue(name, out var slot) && !slot.Stopping ? slot.Ref : Nobody.Instance;
        }
    }

    public void Stop(IActorRef actor)
    {
        if (actor is not ActorRefBase target)
        {
            return;
        }

        if (!ReferenceEquals(target, Self))
        {
            lock (_lock)
            {
                if (_children is not null && _children.TryGetValue(target.Path.Name, out var slot) && ReferenceEquals(slot.Ref, target))
                {
                    slot.Stopping = true;
                }
            }
        }

        target.SendSystemMessage(TerminateActor.Instance);
    }

    private void StopAllChildren()
    {
        foreach (var slot in ChildSlots)
        {
            Stop(slot.Ref);
        }
    }

    private ChildSlot? FindChild(ActorRefBase child)
    {
        lock (_lock)
        {
            return _children is not null && _children.TryGetValue(child.Path.Name, out var slot) && ReferenceEquals(slot.Ref, child) ? slot : null;
        }
    }

    private void HandleChildTerminated(ActorRefBase child)
    {
        lock (_lock)
        {
            if (_children is not null && _children.TryGetValue(child.Path.Name, out var slot) && ReferenceEquals(slot.Ref, child))
            {
                _children.Remove(child.Path.Name);
            }
        }

        if (_terminating)
        {
            if (!HasChildren)
            {
                FinishTerminate();
            }
        }
        else if (_pendingRecreate is not null && !HasStoppingChildren)
        {
            FinishRecreate();
        }
    }

    private string GenerateName()
    {
        var n = Interlocked.Increment(ref _nextGeneratedName);
        Span<char> buffer = stackalloc char[16];
        var i = buffer.Length;
        do
        {
            buffer[--i] = "abcdefghijklmnopqrstuvwxyz0123456789"[(int)(n % 36)];
            n /= 36;
        }
        while (n > 0);

        return "$" + new string(buffer[i..]);
    }
}

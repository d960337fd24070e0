using System.Text;

namespace Autopilot.Actors;

/// <summary>
/// The address of an actor: <c>autopilot://system/user/orchestrator/railway</c>. Paths compare by their elements;
/// <see cref="Uid"/> tells incarnations apart (a restarted-by-recreation actor with the same name is a new uid),
/// and only references compare it.
/// </summary>
public sealed class ActorPath : IEquatable<ActorPath>
{
    /// <summary>The scheme every local path starts with.</summary>
    public const string Scheme = "autopilot";

    private readonly ActorPath? _parent;
    private string? _text;

    private ActorPath(string systemName)
    {
        Name = "";
        Address = $"{Scheme}://{systemName}";
        Depth = 0;
    }

    private ActorPath(ActorPath parent, string name, long uid)
    {
        _parent = parent;
        Name = name;
        Uid = uid;
        Address = parent.Address;
        Depth = parent.Depth + 1;
    }

    /// <summary>The root path of an actor system.</summary>
    public static ActorPath Root(string systemName) => new(systemName);

    /// <summary><c>autopilot://system</c>.</summary>
    public string Address { get; }

    /// <summary>The last element (empty for the root).</summary>
    public string Name { get; }

    /// <summary>Incarnation id; 0 for paths that name a position rather than an incarnation.</summary>
    public long Uid { get; }

    /// <summary>Number of elements below the root.</summary>
    public int Depth { get; }

    /// <summary>The parent path (the root is its own parent).</summary>
    public ActorPath Parent => _parent ?? this;

    /// <summary>A child path.</summary>
    public ActorPath Child(string name, long uid = 0) => new(this, name, uid);

    /// <summary>The element names from the root down, e.g. <c>["user", "orchestrator"]</c>.</summary>
    public IReadOnlyList<string> Elements
    {
        get
        {
            var elements = new string[Depth];
            for (var p = this; p._parent is not null; p = p._parent)
            {
                elements[p.Depth - 1] = p.Name;
            }

            return elements;
        }
    }

    /// <inheritdoc />
    public bool Equals(ActorPath? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || other.Depth != Depth || other.Address != Address)
        {
            return false;
        }

        for (ActorPath? a = this, b = other; a is not null && b is not null; a = a._parent, b = b._parent)
        {
            if (a.Name != b.Name)
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ActorPath other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Depth, _parent?.Name);

    /// <summary>The path without uid, e.g. <c>autopilot://autopilot/user/orchestrator</c>.</summary>
    public override string ToString()
    {
        if (_text is not null)
        {
            return _text;
        }

        if (_parent is null)
        {
            return _text = Address + "/";
        }

        var builder = new StringBuilder(Address);
        foreach (var element in Elements)
        {
            builder.Append('/').Append(element);
        }

        return _text = builder.ToString();
    }

    /// <summary>The path with the incarnation, e.g. <c>…/orchestrator#42</c>.</summary>
    public string ToStringWithUid() => Uid == 0 ? ToString() : $"{this}#{Uid}";
}

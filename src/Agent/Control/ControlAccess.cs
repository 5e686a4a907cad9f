using NetbootPi.Agent.Os.Users;

namespace NetbootPi.Agent.Control;

/// <summary>
/// Roles for local callers on the control socket, by their credentials: root is admin, a member of the control
/// group (<c>netbootpi</c> on the box) is operator, anyone else has no role. Accounts with passwords and tokens,
/// for callers over the network, are a separate matter.
/// </summary>
/// <param name="group">The control group's name.</param>
/// <param name="groupId">Looks a group's id up by name (null: no such group).</param>
/// <param name="groupsOf">The supplementary groups of a process, by pid.</param>
public sealed class ControlAccess(string group, Func<string, uint?> groupId, Func<int, IReadOnlyCollection<uint>> groupsOf)
{
    /// <summary>The box's own accounts: <c>/etc/group</c> and <c>/proc</c>.</summary>
    public static ControlAccess Local(string group) => new(group, name => UnixGroups.IdOf(name), pid => UnixGroups.OfProcess(pid));

    public string Group => group;

    /// <summary>The id of the control group now, or null when it does not exist.</summary>
    public uint? GroupId => groupId(group);

    /// <summary>The caller's role, or null when it has none.</summary>
    public ControlRole? RoleOf(PeerCredentials peer)
    {
        if (peer.Uid == 0) return ControlRole.Admin;
        if (groupId(group) is not { } gid) return null;
        return peer.Gid == gid || groupsOf(peer.Pid).Contains(gid) ? ControlRole.Operator : null;
    }

    /// <summary>Why a caller without a role was turned away, in words its user can act on.</summary>
    public string Refusal(PeerCredentials peer) => GroupId is null
        ? $"{peer} is not root, and there is no group '{group}' whose members may use the control socket"
        : $"{peer} is neither root nor a member of group '{group}'";
}

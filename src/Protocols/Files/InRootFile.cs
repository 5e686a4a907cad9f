using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using NetbootPi.Protocols.Interop;

namespace NetbootPi.Protocols.Files;

/// <summary>How <see cref="InRootFile.Open"/> ended.</summary>
public enum InRootOpen
{
    Opened,
    /// <summary>No such file (or the root is missing, or too many links).</summary>
    NotFound,
    /// <summary>A symbolic link on the way climbs above the root (<c>..</c> past its top), or is a magic link.</summary>
    LeadsOut,
}

/// <summary>
/// Opens a file inside a tree that belongs to someone else: a machine's NFS root, where that machine is root and
/// plants whatever links it likes. The file is opened with openat2(2) and <c>RESOLVE_IN_ROOT |
/// RESOLVE_NO_MAGICLINKS</c>: every path is resolved as if the tree were <c>/</c> (an absolute link such as
/// <c>/boot/vmlinuz-6.1.0-28-amd64</c> means that file of the tree, as the machine itself reads it), so nothing
/// outside the tree can be opened whatever the links say.
/// </summary>
/// <remarks>
/// The kernel clamps a <c>..</c> at the top of the tree silently. A link that climbs there
/// (<c>vmlinuz -&gt; ../../../../etc/shadow</c>) is never what a distribution installs (it would name the
/// tree's own file without the climb); it is a mistake or a try at the box's own files, so before opening,
/// the links on the way are followed here (readlinkat(2) beneath descriptors of the tree, at most 40 links as
/// the kernel allows) and such a path is refused as <see cref="InRootOpen.LeadsOut"/>, naming the link. The
/// walk only decides the refusal; what is opened is the kernel's resolution, so a link changed between the
/// two can at worst open another file of the same tree. Needs Linux 5.6 (openat2); without it nothing opens.
/// </remarks>
public static class InRootFile
{
    private const int FileFlags = Libc.O_RDONLY | Libc.O_CLOEXEC | Libc.O_NOCTTY | Libc.O_NONBLOCK;
    private const int MaxLinks = 40;
    private const int MaxSteps = 4096;
    private const int ELOOP = 40;

    /// <summary>
    /// Opens <paramref name="relative"/> (a plain relative path: the caller has checked it as text) inside the
    /// tree at <paramref name="root"/>. On <see cref="InRootOpen.LeadsOut"/>, <paramref name="why"/> names the link.
    /// </summary>
    public static InRootOpen Open(string root, string relative, out SafeFileHandle? file, out string? why)
    {
        file = null;
        why = null;
        var rootFd = Libc.Open(Libc.PathBytes(root), Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        if (rootFd < 0) return InRootOpen.NotFound;
        using var rootHandle = new SafeFileHandle(rootFd, ownsHandle: true);
        var walk = Walk(rootFd, relative, out why);
        if (walk != InRootOpen.Opened) return walk;

        var how = new Libc.OpenHow { Flags = FileFlags, Resolve = Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS };
        var fd = (int)Libc.OpenAt2(Libc.SYS_openat2, rootFd, Libc.PathBytes(relative), ref how, (nuint)Marshal.SizeOf<Libc.OpenHow>());
        if (fd < 0)
        {
            if (Marshal.GetLastPInvokeError() != ELOOP) return InRootOpen.NotFound;
            // ELOOP is also "too many links", which the walk has already counted: here it is a magic link.
            why = $"{relative} passes through a magic link (/proc/.../fd or the like)";
            return InRootOpen.LeadsOut;
        }
        file = new SafeFileHandle(fd, ownsHandle: true);
        return InRootOpen.Opened;
    }

    /// <summary>Follows the links of <paramref name="relative"/> as the tree's own root would, looking for a climb past the top.</summary>
    private static InRootOpen Walk(int rootFd, string relative, out string? why)
    {
        why = null;
        var pending = new LinkedList<string>(relative.Split('/'));
        // The directories below the root the walk stands in, innermost last (the root itself is not in it).
        var stack = new List<SafeFileHandle>();
        var shown = new List<string>();
        var buffer = new byte[4096];
        int links = 0, steps = 0;
        try
        {
            while (pending.First is { } node)
            {
                pending.RemoveFirst();
                var name = node.Value;
                if (++steps > MaxSteps) return InRootOpen.NotFound;
                if (name is "" or ".") continue;
                if (name == "..")
                {
                    if (stack.Count == 0)
                    {
                        why ??= $"{relative}: a link climbs above the root";
                        return InRootOpen.LeadsOut;
                    }
                    stack[^1].Dispose();
                    stack.RemoveAt(stack.Count - 1);
                    shown.RemoveAt(shown.Count - 1);
                    continue;
                }
                var dir = stack.Count == 0 ? rootFd : stack[^1].DangerousGetHandle().ToInt32();
                var length = Libc.ReadLinkAt(dir, Libc.PathBytes(name), buffer, buffer.Length);
                if (length >= 0)
                {
                    if (++links > MaxLinks || length >= buffer.Length) return InRootOpen.NotFound;
                    var target = Encoding.UTF8.GetString(buffer, 0, (int)length);
                    var at = "/" + string.Join('/', shown.Append(name));
                    why = $"{at} -> {target} leads out of the root";
                    if (target.StartsWith('/'))
                    {
                        // Absolute: the tree's own root, as the machine reads it.
                        foreach (var h in stack) h.Dispose();
                        stack.Clear();
                        shown.Clear();
                    }
                    var parts = target.Split('/');
                    for (var i = parts.Length - 1; i >= 0; i--) pending.AddFirst(parts[i]);
                    continue;
                }
                if (pending.Count == 0) break; // the last name is not a link: the file itself (or missing)
                var fd = Libc.OpenAt(dir, Libc.PathBytes(name), Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
                if (fd < 0) return InRootOpen.NotFound;
                stack.Add(new SafeFileHandle(fd, ownsHandle: true));
                shown.Add(name);
            }
            why = null;
            return InRootOpen.Opened;
        }
        finally
        {
            foreach (var h in stack) h.Dispose();
        }
    }
}

using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Upstream;

/// <summary>
/// The artifacts a profile names on a mirror, by the file name the box serves them under
/// (<c>/upstream/PROFILE/NAME</c>). Only these are ever fetched: the cache is not an open proxy.
/// </summary>
public static class UpstreamArtifacts
{
    /// <summary>The flavors an Alpine script can ask for: the profile's, and those its menu and qemu switch to.</summary>
    public static IReadOnlyList<string> AlpineFlavors(AlpineRelease alpine)
    {
        var flavors = new List<string> { alpine.Flavor };
        foreach (var f in new[] { "lts", "virt" })
            if (!flavors.Contains(f)) flavors.Add(f);
        return flavors;
    }

    /// <summary>Name → upstream URL for every artifact of <paramref name="profile"/> that lives on a mirror.</summary>
    public static IReadOnlyDictionary<string, string> Of(BootProfile profile)
    {
        var artifacts = new Dictionary<string, string>(StringComparer.Ordinal);
        if (profile.Alpine is { } a)
        {
            var release = ReleaseUrl(a);
            foreach (var f in AlpineFlavors(a))
                foreach (var kind in new[] { "vmlinuz", "initramfs", "modloop" })
                    artifacts[$"{kind}-{f}"] = $"{release}/{kind}-{f}";
        }
        if (profile.Kind == ProfileKind.Kernel)
            foreach (var url in profile.Initrds.Prepend(profile.Kernel!))
                if (IsUrl(url)) artifacts.TryAdd(FileName(url), url);
        return artifacts;
    }

    /// <summary>MIRROR/BRANCH/releases/ARCH/netboot-VERSION, as Alpine lays out its netboot releases.</summary>
    public static string ReleaseUrl(AlpineRelease a) =>
        $"{a.Mirror.TrimEnd('/')}/{a.Branch}/releases/{a.Arch}/netboot-{a.Version}";

    public static bool IsUrl(string artifact) =>
        artifact.StartsWith("http://", StringComparison.Ordinal) || artifact.StartsWith("https://", StringComparison.Ordinal);

    public static string FileName(string url)
    {
        var path = new Uri(url).AbsolutePath;
        var name = path[(path.LastIndexOf('/') + 1)..];
        return name.Length == 0 ? "artifact" : Uri.UnescapeDataString(name);
    }
}

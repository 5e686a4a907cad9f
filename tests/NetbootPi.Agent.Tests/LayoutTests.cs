using System.Text.RegularExpressions;
using NetbootPi.Agent.Tests.Site;

namespace NetbootPi.Agent.Tests;

/// <summary>
/// The layout rules of STYLE.md that a compiler does not check: the agent's folders import each other without a
/// loop, only the composition root knows every service, Protocols and Hardware stay apart, the agent keeps out of
/// Protocols' libc interop.
/// </summary>
public partial class LayoutTests
{
    private static readonly string Src = Path.Combine(SiteText.RepoRoot, "src");

    [GeneratedRegex(@"\bNetbootPi\.Agent\.([A-Za-z]+)\b")]
    private static partial Regex AgentReference();

    private static IEnumerable<(string Folder, string File, string Text)> AgentSources() =>
        Directory.EnumerateFiles(Path.Combine(Src, "Agent"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Select(f => (Path.GetRelativePath(Path.Combine(Src, "Agent"), f).Split('/') is [var top, _, ..] ? top : "", f, File.ReadAllText(f)));

    private static Dictionary<string, HashSet<string>> FolderGraph()
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (folder, _, text) in AgentSources())
        {
            var edges = graph.TryGetValue(folder, out var e) ? e : graph[folder] = [];
            foreach (Match m in AgentReference().Matches(text))
                if (m.Groups[1].Value != folder && m.Groups[1].Value != "Tests") edges.Add(m.Groups[1].Value);
        }
        return graph;
    }

    [Fact]
    public void The_agents_folders_import_each_other_without_a_loop()
    {
        var graph = FolderGraph();
        var done = new HashSet<string>();
        var path = new List<string>();
        void Visit(string folder)
        {
            if (path.Contains(folder)) Assert.Fail($"folders import each other in a loop: {string.Join(" -> ", path.SkipWhile(f => f != folder))} -> {folder}");
            if (!done.Add(folder)) return;
            path.Add(folder);
            foreach (var next in graph.GetValueOrDefault(folder) ?? []) Visit(next);
            path.RemoveAt(path.Count - 1);
        }
        foreach (var folder in graph.Keys) Visit(folder);
    }

    [Fact]
    public void Only_the_composition_root_imports_the_hosting_folder_or_registers_services()
    {
        foreach (var (folder, file, text) in AgentSources())
        {
            if (folder is "Hosting" or "Cli" or "") continue; // Cli runs the host; Program.cs runs the CLI
            Assert.False(AgentReference().Matches(text).Any(m => m.Groups[1].Value == "Hosting"), $"{file} imports Hosting");
            // Services get what they need through their constructors, never by looking it up.
            Assert.False(text.Contains("IServiceProvider", StringComparison.Ordinal), $"{file} looks services up through IServiceProvider");
        }
        var host = File.ReadAllText(Path.Combine(Src, "Agent", "Hosting", "AgentHost.cs"));
        foreach (var add in new[] { "AddSite", "AddDhcp", "AddTftp", "AddBootHttp", "AddBootEvents", "AddOverlays", "AddUpstreamCache" })
            Assert.Contains(add + "(", host, StringComparison.Ordinal);
    }

    [Fact]
    public void Protocols_and_Hardware_do_not_reference_each_other_and_the_agent_keeps_out_of_libc_interop()
    {
        Assert.DoesNotContain("Hardware", File.ReadAllText(Path.Combine(Src, "Protocols", "NetbootPi.Protocols.csproj")), StringComparison.Ordinal);
        Assert.DoesNotContain("Protocols", File.ReadAllText(Path.Combine(Src, "Hardware", "NetbootPi.Hardware.csproj")), StringComparison.Ordinal);
        foreach (var (_, file, text) in AgentSources())
            Assert.False(text.Contains("NetbootPi.Protocols.Interop", StringComparison.Ordinal), $"{file} uses Protocols' libc interop");
    }
}

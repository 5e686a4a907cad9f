using NetbootPi.Agent.Apply;

namespace NetbootPi.Agent.Tests.Apply;

/// <summary>Diffs as <c>diff -u</c> prints them, checked against GNU diff and applied with GNU patch.</summary>
public class UnifiedDiffTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-diff-").FullName;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Text(params string[] lines) => string.Concat(lines.Select(l => l + "\n"));

    [Fact]
    public async Task The_same_hunks_as_gnu_diff()
    {
        var diff = Peers.Require("diff", "diffutils");
        var before = Text("[Match]", "Name=eth0", "", "[Network]", "VLAN=eth0.69", "VLAN=eth0.420", "Address=192.168.69.1/24", "", "[Link]", "RequiredForOnline=no", "a", "b", "c", "d", "e", "f", "g", "h");
        var after = Text("[Match]", "Name=eth0", "", "[Network]", "VLAN=eth0.69", "VLAN=eth0.421", "Address=192.168.69.1/24", "", "[Link]", "RequiredForOnline=no", "a", "b", "c", "d", "e", "f", "g", "h", "i");
        var path = Path.Combine(_dir, "x.network");
        await File.WriteAllTextAsync(Path.Combine(_dir, "a"), before, Ct);
        await File.WriteAllTextAsync(Path.Combine(_dir, "b"), after, Ct);
        var gnu = await Tool.RunAsync(diff, ["-u", "--label", path, "--label", path, Path.Combine(_dir, "a"), Path.Combine(_dir, "b")], Ct);
        Assert.Equal(gnu.Out, UnifiedDiff.Render(new FileChange(path, before, after)));
    }

    [Fact]
    public void A_new_and_a_removed_file_diff_against_dev_null()
    {
        Assert.Equal("--- /dev/null\n+++ /x\n@@ -0,0 +1,2 @@\n+a\n+b\n", UnifiedDiff.Render(new FileChange("/x", null, "a\nb\n")));
        Assert.Equal("--- /x\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n", UnifiedDiff.Render(new FileChange("/x", "a\n", null)));
        Assert.Equal("", UnifiedDiff.Render(new FileChange("/x", "a\n", "a\n")));
    }

    [Fact]
    public async Task Patch_turns_before_into_after_for_many_random_edits()
    {
        var patch = Peers.Require("patch", "patch");
        var rng = new Random(20261206);
        for (var round = 0; round < 40; round++)
        {
            var lines = Enumerable.Range(0, rng.Next(0, 40)).Select(_ => $"line {rng.Next(12)}").ToList();
            var edited = lines.ToList();
            for (var e = rng.Next(1, 8); e > 0; e--)
            {
                var at = rng.Next(edited.Count + 1);
                switch (rng.Next(3))
                {
                    case 0: edited.Insert(at, $"new {rng.Next(100)}"); break;
                    case 1 when edited.Count > 0: edited.RemoveAt(Math.Min(at, edited.Count - 1)); break;
                    default: if (edited.Count > 0) edited[Math.Min(at, edited.Count - 1)] = $"changed {rng.Next(100)}"; break;
                }
            }
            var before = Text([.. lines]);
            var after = Text([.. edited]);
            if (rng.Next(4) == 0 && after.Length > 0) after = after[..^1]; // no newline at the end
            var file = Path.Combine(_dir, $"f{round}");
            await File.WriteAllTextAsync(file, before, Ct);
            var diff = UnifiedDiff.Render(new FileChange(file, before, after));
            if (diff.Length == 0) continue;
            await File.WriteAllTextAsync(file + ".diff", diff, Ct);
            var r = await Tool.RunAsync(patch, ["--force", "--silent", file, file + ".diff"], Ct);
            Assert.True(r.Code == 0, $"patch refused round {round}: {r.Out}{r.Err}\n{diff}");
            Assert.Equal(after, await File.ReadAllTextAsync(file, Ct));
        }
    }
}

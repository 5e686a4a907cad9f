using NetbootPi.Agent.Tests.Site;
using NetbootPi.Fuzz;

namespace NetbootPi.Agent.Tests.Fuzz;

/// <summary>
/// Every fuzz target's seeds and every input a fuzzing run ever found (bench/fuzz/regressions/TARGET, one file
/// each, named for what it broke) run through the target with all its invariants, without afl-fuzz: a parser
/// fix stays fixed in the ordinary test run, and the seeds themselves satisfy the invariants.
/// </summary>
public class FuzzCorpusTests
{
    public static TheoryData<string> Targets => new(FuzzTargets.Names);

    [Theory]
    [MemberData(nameof(Targets))]
    public void Seeds_and_regressions_keep_every_invariant(string name)
    {
        using var target = FuzzTargets.Create(name);
        var inputs = target.Seeds().ToList();
        var regressions = Path.Combine(SiteText.RepoRoot, "bench", "fuzz", "regressions", name);
        if (Directory.Exists(regressions))
            inputs.AddRange(Directory.EnumerateFiles(regressions).Order().Select(f => new KeyValuePair<string, byte[]>(Path.GetFileName(f), File.ReadAllBytes(f))));
        Assert.NotEmpty(inputs);
        var failures = new List<string>();
        foreach (var (input, bytes) in inputs)
        {
            try
            {
                target.Run(bytes);
            }
            catch (Exception e)
            {
                failures.Add($"{name}/{input}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}

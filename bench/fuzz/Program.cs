using NetbootPi.Fuzz;

// bench/fuzz.sh drives this: "TARGET" under afl-fuzz, "seeds TARGET DIR" for its first corpus, "run TARGET FILE..." to
// replay inputs (a crash afl-fuzz saved, a regression) with the exception printed.
const int MaxInput = 1024 * 1024;

switch (args)
{
    case ["seeds", var name, var dir]:
    {
        using var target = FuzzTargets.Create(name);
        Directory.CreateDirectory(dir);
        var n = 0;
        foreach (var (seed, bytes) in target.Seeds())
        {
            File.WriteAllBytes(Path.Combine(dir, seed), bytes);
            n++;
        }
        Console.WriteLine($"{name}: {n} seeds in {dir}");
        return 0;
    }
    case ["run", var name, .. var files]:
    {
        using var target = FuzzTargets.Create(name);
        var failed = 0;
        foreach (var file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
                Console.WriteLine($"ok    {file}");
            }
            catch (Exception e)
            {
                failed++;
                Console.WriteLine($"FAIL  {file}: {e}");
            }
        }
        return failed == 0 ? 0 : 1;
    }
    case [var name] when FuzzTargets.Names.Contains(name):
    {
        // Instrumented code only runs once SharpFuzz has attached afl-fuzz's coverage map, inside Fuzzer.Run: the
        // target (whose constructor already runs parser code) is made by the first input. Persistent mode: one
        // process runs input after input; an exception ends it and afl-fuzz keeps the input as a crash. The
        // process is killed at the end, so the target's temporary tree is left to fuzz.sh (TMPDIR).
        FuzzTarget? target = null;
        var buffer = new byte[MaxInput];
        SharpFuzz.Fuzzer.Run(stream =>
        {
            target ??= FuzzTargets.Create(name);
            var length = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            target.Run(buffer.AsSpan(0, length));
        });
        return 0;
    }
    default:
        Console.Error.WriteLine($"usage: NetbootPi.Fuzz TARGET | seeds TARGET DIR | run TARGET FILE...  (targets: {string.Join(", ", FuzzTargets.Names)})");
        return 2;
}

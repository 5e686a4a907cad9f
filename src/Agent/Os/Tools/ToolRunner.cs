using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace NetbootPi.Agent.Os.Tools;

/// <summary><see cref="IToolRunner"/> with real processes.</summary>
public sealed class ToolRunner(TimeProvider time) : IToolRunner
{
    /// <summary>What is kept of each output stream; the rest is read and dropped, so a chatty tool never blocks.</summary>
    public const int MaxOutputChars = 1 << 20;

    public async Task<ToolResult> RunAsync(ToolCall call, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(call.Program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in call.Arguments) start.ArgumentList.Add(a);
        foreach (var (name, value) in call.Environment) start.Environment[name] = value;
        // Messages in one language and format whatever the box's locale: they are quoted back to people.
        start.Environment["LC_ALL"] = "C.UTF-8";

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new ToolException(call, $"cannot run {call.Program}: {e.Message} (is it installed?)", e);
        }

        using var timeout = new CancellationTokenSource(call.Timeout, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var output = ReadAsync(process.StandardOutput);
        var errors = ReadAsync(process.StandardError);
        try
        {
            await WriteInputAsync(process, call.Input, either.Token).ConfigureAwait(false);
            await process.WaitForExitAsync(either.Token).ConfigureAwait(false);
            // A tool that started a daemon which kept the output open would hold the reads forever: same limit.
            await Task.WhenAll(output, errors).WaitAsync(either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new ToolException(call, $"{call} did not finish within {call.Timeout.TotalSeconds:0.###} s and was killed");
        }
        return new ToolResult(call, process.ExitCode, await output.ConfigureAwait(false), await errors.ConfigureAwait(false));
    }

    private static async Task WriteInputAsync(Process process, string? input, CancellationToken cancellationToken)
    {
        try
        {
            if (input is not null) await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken).ConfigureAwait(false);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The tool exited without reading all of its input (a broken pipe): its exit status tells what happened.
        }
    }

    private static async Task<string> ReadAsync(StreamReader reader)
    {
        var kept = new StringBuilder();
        var buffer = new char[16 * 1024];
        int n;
        while ((n = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            var room = MaxOutputChars - kept.Length;
            if (room > 0) kept.Append(buffer, 0, Math.Min(n, room));
        }
        return kept.ToString();
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own meanwhile.
        }
    }
}

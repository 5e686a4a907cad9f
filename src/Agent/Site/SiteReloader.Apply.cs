using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Os.Files;

namespace NetbootPi.Agent.Site;

// Putting a new site file in place through the agent (PUT /api/v1/site, netbootpi site apply): checked as a reload
// would check it before anything is written, so a file with errors never lands on disk, and the file it replaces is
// kept beside it for a rollback.
public sealed partial class SiteReloader
{
    /// <summary>The file kept beside the site file: the one the last apply replaced.</summary>
    public static string PreviousPath(string sitePath) => sitePath + ".previous";

    /// <summary>The SHA-256 of a site file's bytes, lower-case hex: what a caller passes back to say which file it edited.</summary>
    public static string Digest(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// Makes <paramref name="text"/> the site file and the running site, or changes nothing: the text is read and
    /// checked first (errors located in the site file's name, as <c>netbootpi check</c> would locate them), a key
    /// that takes a restart refuses it, and when <paramref name="expectedDigest"/> is given the file on disk must
    /// still be that one (someone else's edit in between is not overwritten). The file it replaces is kept as
    /// <see cref="PreviousPath"/>.
    /// </summary>
    public SiteApplyResult Apply(byte[] text, string? expectedDigest, IAtomicFiles files)
    {
        _gate.Wait();
        Progress.Busy();
        try
        {
            return ApplyLocked(text, expectedDigest, files, "apply");
        }
        finally
        {
            status.Ready();
            Progress.Idle();
            _gate.Release();
        }
    }

    /// <summary>Puts the previous file back (the current one becomes the previous), checked as <see cref="Apply"/> checks.</summary>
    public SiteApplyResult Rollback(IAtomicFiles files)
    {
        _gate.Wait();
        Progress.Busy();
        try
        {
            byte[] previous;
            try
            {
                previous = File.ReadAllBytes(PreviousPath(state.Path));
            }
            catch (FileNotFoundException)
            {
                return new SiteApplyResult(SiteApplyOutcome.NoPrevious, [],
                    $"there is no {PreviousPath(state.Path)}: no site file was applied through the agent since it was made");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new SiteApplyResult(SiteApplyOutcome.Failed, [], $"cannot read {PreviousPath(state.Path)}: {FileErrors.Reason(e, PreviousPath(state.Path))}");
            }
            return ApplyLocked(previous, null, files, "rollback");
        }
        finally
        {
            status.Ready();
            Progress.Idle();
            _gate.Release();
        }
    }

    private SiteApplyResult ApplyLocked(byte[] text, string? expectedDigest, IAtomicFiles files, string what)
    {
        var path = state.Path;
        var parsed = SiteFile.Parse(path, text);
        if (parsed.Inventory is not { } next) return new SiteApplyResult(SiteApplyOutcome.Invalid, parsed.Errors);

        byte[]? current = null;
        UnixFileMode mode = (UnixFileMode)0b110_100_100;
        try
        {
            current = File.ReadAllBytes(path);
            if (!OperatingSystem.IsWindows()) mode = File.GetUnixFileMode(path);
        }
        catch (FileNotFoundException)
        {
            // Nothing to keep: the agent runs a file someone removed since.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new SiteApplyResult(SiteApplyOutcome.Failed, [], $"cannot read {path}: {FileErrors.Reason(e, path)}");
        }
        if (expectedDigest is not null)
        {
            var onDisk = current is null ? "(no file)" : Digest(current);
            if (!string.Equals(onDisk, expectedDigest, StringComparison.OrdinalIgnoreCase))
                return new SiteApplyResult(SiteApplyOutcome.Stale, [],
                    $"{path} changed since it was read (its SHA-256 is {onDisk}, not {expectedDigest}): get it again and redo the edit");
        }
        if (state.Refusals(next) is { } refused) return new SiteApplyResult(SiteApplyOutcome.Invalid, refused);

        var same = current is not null && current.AsSpan().SequenceEqual(text);
        if (!same)
        {
            try
            {
                if (current is not null) files.Write(PreviousPath(path), current, mode);
                files.Write(path, text, mode);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The site file itself is replaced by one rename: it is the old text or the new, and here the old.
                return new SiteApplyResult(SiteApplyOutcome.Failed, [], $"cannot write {path}: {FileErrors.Reason(e, path)}; the running site is unchanged");
            }
        }
        state.Replace(next);
        status.Set(StatusPart, null);
        LogApplied(what, path, next.Networks.Length, next.Hosts.Length, next.Profiles.Length, same ? "the file was unchanged" : $"the file before is {PreviousPath(path)}");
        return new SiteApplyResult(same ? SiteApplyOutcome.Unchanged : SiteApplyOutcome.Applied, []);
    }

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "site {What}: {Path} now runs, {Networks} networks, {Hosts} hosts, {Profiles} profiles ({Previous})")]
    private partial void LogApplied(string what, string path, int networks, int hosts, int profiles, string previous);
}

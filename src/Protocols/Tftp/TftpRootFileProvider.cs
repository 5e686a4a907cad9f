using System.Net;
using NetbootPi.Protocols.Interop;

namespace NetbootPi.Protocols.Tftp;

/// <summary>
/// Serves regular files under one directory. A name is taken relative to the root; <c>..</c>, NUL bytes and
/// anything that resolves outside the root through a symlink are refused with ERROR 2. The name is resolved
/// before opening (for a precise refusal), and the opened file's own real path is checked again, so a symlink
/// swapped in between the two cannot lead out of the root.
/// </summary>
public sealed class TftpRootFileProvider : ITftpFileProvider
{
    // FileStream reads a request at least as large as its buffer straight into the caller's span; smaller ones
    // are copied out of the buffer. 16 KiB batches small blocks (32 per read(2) at 512) while 64 KiB blocks go
    // direct: with a 64 KiB buffer every 65464-byte block was copied twice and cost two reads at misaligned offsets.
    private const int ReadBufferSize = 16 * 1024;

    /// <summary>Serves from <paramref name="root"/>, which must exist; its own symlinks are resolved once here.</summary>
    public TftpRootFileProvider(string root)
    {
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"TFTP root {full} does not exist");
        Root = TftpPath.Resolve(full) ?? throw new IOException($"TFTP root {full}: too many levels of symbolic links");
    }

    /// <summary>The root with symlinks resolved.</summary>
    public string Root { get; }

    public TftpOpenResult Open(string path, IPEndPoint client)
    {
        var parts = TftpPath.Split(path, out var refusal);
        if (parts is null) return TftpOpenResult.AccessViolation(refusal);
        var real = TftpPath.Resolve(Path.Join(Root, string.Join('/', parts)));
        if (real is null) return TftpOpenResult.AccessViolation("too many levels of symbolic links");
        if (!RealPath.IsWithin(real, Root)) return TftpOpenResult.AccessViolation($"resolves to {real}, outside the root {Root}");
        if (Directory.Exists(real)) return TftpOpenResult.NotFound($"{real} is a directory");
        if (!File.Exists(real)) return TftpOpenResult.NotFound($"{real} does not exist");
        try
        {
            var file = new FileStream(real, FileMode.Open, FileAccess.Read, FileShare.Read, ReadBufferSize);
            if (RealPath.Of(file.SafeFileHandle) is { } opened && RealPath.IsWithin(opened, Root))
                return TftpOpenResult.Success(file);
            file.Dispose();
            return TftpOpenResult.AccessViolation($"{real} was replaced by a link outside the root {Root} while it was opened");
        }
        catch (UnauthorizedAccessException e)
        {
            return TftpOpenResult.AccessViolation($"{real}: {e.Message}");
        }
        catch (FileNotFoundException)
        {
            return TftpOpenResult.NotFound($"{real} disappeared before it was opened");
        }
        catch (DirectoryNotFoundException)
        {
            return TftpOpenResult.NotFound($"{real} disappeared before it was opened");
        }
        catch (IOException e)
        {
            return TftpOpenResult.Error(TftpErrorCode.NotDefined, "Cannot open file", $"{real}: {e.Message}");
        }
    }
}

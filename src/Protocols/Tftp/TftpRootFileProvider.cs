using System.Net;
using NetbootPi.Protocols.Files;

namespace NetbootPi.Protocols.Tftp;

/// <summary>
/// Serves regular files under one directory. A name is taken relative to the root (<see cref="TftpPath.Split"/>:
/// <c>..</c>, NUL bytes and DOS drives are refused as text) and opened beneath it by <see cref="ServedRoot"/>, the
/// HTTP side's confinement: whatever resolves outside the root through a symlink is refused with ERROR 2, and the
/// check is the open itself, so a symlink swapped in meanwhile cannot lead out.
/// </summary>
public sealed class TftpRootFileProvider : ITftpFileProvider
{
    // FileStream reads a request at least as large as its buffer straight into the caller's span; smaller ones
    // are copied out of the buffer. 16 KiB batches small blocks (32 per read(2) at 512) while 64 KiB blocks go
    // direct: with a 64 KiB buffer every 65464-byte block was copied twice and cost two reads at misaligned offsets.
    private const int ReadBufferSize = 16 * 1024;

    private readonly ServedRoot _root;

    /// <summary>Serves from <paramref name="root"/>, which must exist.</summary>
    public TftpRootFileProvider(string root)
    {
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"TFTP root {full} does not exist");
        Root = TftpPath.Resolve(full) ?? throw new IOException($"TFTP root {full}: too many levels of symbolic links");
        _root = new ServedRoot(full);
    }

    /// <summary>The root with symlinks resolved, as it was at start (for messages: files are opened beneath whatever the path leads to).</summary>
    public string Root { get; }

    public TftpOpenResult Open(string path, IPEndPoint client)
    {
        var parts = TftpPath.Split(path, out var refusal);
        if (parts is null) return TftpOpenResult.AccessViolation(refusal);
        var name = string.Join('/', parts);
        switch (_root.Open(name, out var handle))
        {
            case BeneathOpen.OutsideRoot:
                return TftpOpenResult.AccessViolation($"{name} resolves outside the root {Root}");
            case BeneathOpen.NotFound:
                return TftpOpenResult.NotFound($"{name} does not exist under {Root} (or is a symlink loop)");
        }
        // Only regular files: a directory opens fine, and a FIFO (opened without blocking) is no boot file.
        if (ReadOnlyFile.Status(handle!) is not { IsRegularFile: true })
        {
            handle!.Dispose();
            return TftpOpenResult.NotFound($"{name} under {Root} is not a regular file");
        }
        try
        {
            return TftpOpenResult.Success(new FileStream(handle!, FileAccess.Read, ReadBufferSize));
        }
        catch (IOException e)
        {
            handle!.Dispose();
            return TftpOpenResult.Error(TftpErrorCode.NotDefined, "Cannot open file", $"{name}: {e.Message}");
        }
    }
}

namespace NetbootPi.Protocols.Tftp;

/// <summary>A parsed RRQ or WRQ (RFC 1350 section 5) with its RFC 2347 options in the order the client sent them.</summary>
public sealed class TftpRequest
{
    public TftpRequest(TftpOpcode opcode, string fileName, TftpTransferMode mode, IReadOnlyList<KeyValuePair<string, string>> options)
    {
        Opcode = opcode;
        FileName = fileName;
        Mode = mode;
        Options = options;
    }

    /// <summary><see cref="TftpOpcode.ReadRequest"/> or <see cref="TftpOpcode.WriteRequest"/>.</summary>
    public TftpOpcode Opcode { get; }

    /// <summary>The filename exactly as sent, before any path normalisation.</summary>
    public string FileName { get; }

    public TftpTransferMode Mode { get; }

    /// <summary>Options with names lower-cased (RFC 2347: names are case-insensitive) and values as sent.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Options { get; }

    /// <summary>The value of an option, or null when the client did not send it.</summary>
    public string? GetOption(string lowerCaseName)
    {
        foreach (var (name, value) in Options)
        {
            if (name == lowerCaseName) return value;
        }
        return null;
    }
}

using System.Buffers.Binary;
using System.Text;

namespace NetbootPi.Agent.Site;

/// <summary>Checks one authorized_keys line: TYPE BASE64 [COMMENT], where the blob starts with TYPE (RFC 4253 §6.6).</summary>
public static class SshPublicKey
{
    private static readonly string[] Types =
    [
        "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ];

    public static bool TryValidate(string line, out string problem)
    {
        var parts = line.Trim().Split((char[])[' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            problem = "it has no key data after the type";
            return false;
        }
        if (!Types.Contains(parts[0]))
        {
            problem = $"unknown key type '{parts[0]}'";
            return false;
        }
        var blob = new byte[parts[1].Length];
        if (!Convert.TryFromBase64String(parts[1], blob, out var n))
        {
            problem = "the key data is not base64";
            return false;
        }
        // The blob begins with the key type as an SSH string: uint32 length, then the name.
        var data = blob.AsSpan(0, n);
        if (data.Length < 4 || BinaryPrimitives.ReadUInt32BigEndian(data) is var len && len > data.Length - 4 || len > 64)
        {
            problem = $"the key data is not a {parts[0]} key";
            return false;
        }
        var inside = Encoding.ASCII.GetString(data.Slice(4, (int)len));
        if (inside != parts[0])
        {
            // A key pasted under the wrong label is a common slip: say what it really is.
            problem = Types.Contains(inside)
                ? $"the line says {parts[0]} but the key data is a {inside} key"
                : $"the key data is not a {parts[0]} key";
            return false;
        }
        problem = "";
        return true;
    }
}

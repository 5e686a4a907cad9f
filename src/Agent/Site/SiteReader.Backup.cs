using System.Collections.Immutable;
using NetbootPi.Agent.Age;
using NetbootPi.Agent.Site.Yaml;

namespace NetbootPi.Agent.Site;

// backup: who can open the box's backups, where they go, how many are kept (docs/backup.md).
internal sealed partial class SiteReader
{
    private static readonly string[] BackupKeys = ["recipients", "to", "keep", "every", "host_key"];

    private BackupSettings? ReadBackup(YamlNode node)
    {
        var m = Mapping(node, "backup", "a mapping with recipients (age public keys), to (a folder, an SSH server's folder or a git repository), keep, every and host_key", BackupKeys, ["recipients"]);
        if (m is null) return null;
        var before = _errors.Count;
        var recipients = ImmutableArray.CreateBuilder<AgeRecipient>();
        if (m.TryGetValue("recipients", out var rn))
        {
            foreach (var text in StringList(rn, "backup.recipients", "age public keys (age1..., as age-keygen prints them)", (s, p) =>
            {
                if (AgeRecipient.TryParse(s.Value, out var r, out var why))
                {
                    recipients.Add(r);
                    return r.Text;
                }
                Error(s, p, $"'{s.Value}' is not an age public key: {why}");
                return null;
            }))
            {
                _ = text;
            }
            if (recipients.Count == 0 && _errors.Count == before) Error(rn, "backup.recipients", "is empty: name at least one age public key (age-keygen prints one on its '# public key:' line)");
        }
        string? to = null;
        BackupDestination? dest = null;
        if (m.TryGetValue("to", out var tn) && Scalar(tn, "backup.to", "where backups go") is { } ts)
        {
            if (BackupDestination.TryParse(ts.Value, out dest, out var why)) to = ts.Value;
            else Error(ts, "backup.to", why);
        }
        string? hostKey = null;
        if (m.TryGetValue("host_key", out var hn) && Scalar(hn, "backup.host_key", "an SSH host key") is { } hs)
        {
            // TYPE BASE64 as known_hosts takes it; a comment after them is dropped.
            if (SshPublicKey.TryValidate(hs.Value, out var problem)) hostKey = string.Join(' ', hs.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..2]);
            else Error(hs, "backup.host_key", $"'{hs.Value}' is not an SSH public key: {problem} (expected TYPE BASE64 as the destination's /etc/ssh/ssh_host_ed25519_key.pub has it)");
        }
        if (dest is { IsRemote: true } && hostKey is null && !m.ContainsKey("host_key"))
            Error(tn!, "backup.to", $"'{to}' needs backup.host_key: the SSH host key {dest.Host} must show (its /etc/ssh/ssh_host_ed25519_key.pub, read there or compared with ssh-keyscan's by fingerprint): the box never trusts a key on first use");
        var keep = m.TryGetValue("keep", out var kn) ? Integer(kn, "backup.keep", "how many backups to keep in the folder", 1, 1000) : BackupSettings.DefaultKeep;
        TimeSpan? every = null;
        if (m.TryGetValue("every", out var en))
        {
            every = Duration(en, "backup.every");
            if (every is { } e && e < TimeSpan.FromMinutes(1)) Error(en, "backup.every", $"'{(en as YamlScalar)?.Value}' is under a minute (expected how often the agent writes a backup, like 1d or 6h)");
            else if (every is not null && to is null && !m.ContainsKey("to")) Error(en, "backup.every", "needs backup.to: the folder the agent writes its backups to");
        }
        if (_errors.Count != before || keep is null) return null;
        return new BackupSettings(recipients.ToImmutable(), to, keep.Value, every, node.Location, hostKey);
    }
}

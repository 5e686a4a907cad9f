using System.Collections.Immutable;
using NetbootPi.Agent.Backup.Age;
using NetbootPi.Agent.Site.Yaml;

namespace NetbootPi.Agent.Site;

// backup: who can open the box's backups, where they go, how many are kept (docs/backup.md).
internal sealed partial class SiteReader
{
    private static readonly string[] BackupKeys = ["recipients", "to", "keep"];

    private BackupSettings? ReadBackup(YamlNode node)
    {
        var m = Mapping(node, "backup", "a mapping with recipients (age public keys), to (a folder) and keep", BackupKeys, ["recipients"]);
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
        if (m.TryGetValue("to", out var tn) && Scalar(tn, "backup.to", "an absolute folder path") is { } ts)
        {
            if (Path.IsPathFullyQualified(ts.Value)) to = ts.Value;
            else Error(ts, "backup.to", $"'{ts.Value}' is not an absolute path (expected the folder backups go to, like /mnt/backup/netbootpi)");
        }
        var keep = m.TryGetValue("keep", out var kn) ? Integer(kn, "backup.keep", "how many backups to keep in the folder", 1, 1000) : BackupSettings.DefaultKeep;
        if (_errors.Count != before || keep is null) return null;
        return new BackupSettings(recipients.ToImmutable(), to, keep.Value, node.Location);
    }
}

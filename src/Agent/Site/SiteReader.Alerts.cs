using System.Collections.Immutable;
using NetbootPi.Agent.Site.Yaml;

namespace NetbootPi.Agent.Site;

// alerts: the webhooks told what an operator must hear about (docs/alerts.md).
internal sealed partial class SiteReader
{
    private static readonly string[] AlertsKeys = ["webhooks"];
    private static readonly string[] WebhookKeys = ["url", "secret_file", "kinds"];

    /// <summary>A secret shorter than this is a typo or a placeholder, not a key (RFC 2104 §3: at least the hash's 32 bytes is best).</summary>
    internal const int MinSecretBytes = 16;

    private const int MaxSecretBytes = 4096;

    private ImmutableArray<WebhookSettings> ReadAlerts(YamlNode node)
    {
        var m = Mapping(node, "alerts", "a mapping with webhooks", AlertsKeys, ["webhooks"]);
        if (m is null || !m.TryGetValue("webhooks", out var list)) return [];
        if (list is not YamlSequence seq)
        {
            Error(list, "alerts.webhooks", $"expected a list of webhooks ({{ url, secret_file, kinds }}), found {list.Describe()}");
            return [];
        }
        var result = ImmutableArray.CreateBuilder<WebhookSettings>(seq.Items.Count);
        for (var i = 0; i < seq.Items.Count; i++)
        {
            if (ReadWebhook(seq.Items[i], $"alerts.webhooks[{i}]", i) is { } hook) result.Add(hook);
        }
        return result.ToImmutable();
    }

    private WebhookSettings? ReadWebhook(YamlNode node, string path, int index)
    {
        var m = Mapping(node, path, "a webhook: { url: https://..., secret_file: FILE, kinds: [...] }", WebhookKeys, ["url", "secret_file"]);
        if (m is null) return null;
        var before = _errors.Count;
        Uri? url = null;
        if (m.TryGetValue("url", out var un) && Scalar(un, $"{path}.url", "an http:// or https:// URL") is { } us)
            url = WebhookUrl(us, $"{path}.url");
        var kinds = AlertKinds.Listenable.ToImmutableArray();
        if (m.TryGetValue("kinds", out var kn))
        {
            var names = string.Join(", ", AlertKinds.Listenable.Select(AlertKinds.Name));
            var seen = new bool[AlertKinds.All.Length];
            var parsed = StringList(kn, $"{path}.kinds", $"alert kinds ({names})", (s, p) =>
            {
                if (AlertKinds.Parse(s.Value) is not { } kind || kind == AlertKind.Test)
                {
                    var hint = Suggest(s.Value, AlertKinds.Listenable.Select(AlertKinds.Name).ToArray()) is { } best ? $"did you mean '{best}'? " : "";
                    Error(s, p, $"unknown alert kind '{s.Value}' ({hint}expected one of: {names}; test alerts go to every webhook)");
                    return null;
                }
                if (seen[(int)kind]) Error(s, p, $"'{s.Value}' is listed twice (expected each kind once)");
                seen[(int)kind] = true;
                return s.Value;
            });
            // In the enum's order, each once.
            kinds = [.. AlertKinds.Listenable.Where(k => seen[(int)k])];
            if (kn is YamlSequence { Items.Count: 0 })
                Error(kn, $"{path}.kinds", $"an empty list would send this webhook nothing (expected some of: {names}, or no kinds: for all)");
        }
        string? secretFile = null;
        WebhookSecret? secret = null;
        if (m.TryGetValue("secret_file", out var sn) && Scalar(sn, $"{path}.secret_file", "the path of a file holding the signing secret") is { } ss)
        {
            // Relative to the site file's folder, as the power secrets file sits beside the site.
            secretFile = Path.GetFullPath(ss.Value, Path.GetDirectoryName(Path.GetFullPath(_file)) ?? "/");
            secret = ReadSecretFile(ss, $"{path}.secret_file", secretFile);
        }
        if (_errors.Count != before || url is null || secretFile is null || secret is null) return null;
        return new WebhookSettings(index, url, secretFile, secret, kinds, node.Location);
    }

    private Uri? WebhookUrl(YamlScalar s, string path)
    {
        if (!Uri.TryCreate(s.Value, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            Error(s, path, $"'{s.Value}' is not an http:// or https:// URL (expected the receiver's full URL, like https://ops.example.com/hooks/netbootpi)");
            return null;
        }
        // Credentials in the URL would reach every log line that names the webhook; the body is signed instead.
        if (url.UserInfo.Length > 0)
        {
            Error(s, path, "the URL holds a user name or password (expected none: the receiver checks the signature made with secret_file)");
            return null;
        }
        if (url.Fragment.Length > 0)
        {
            Error(s, path, $"'{s.Value}' has a fragment (#...), which is never sent (expected the URL without it)");
            return null;
        }
        return url;
    }

    /// <summary>
    /// The secret in <paramref name="file"/>: its bytes without a trailing line break. Refused unless only its owner
    /// can read it (mode 0600 or 0400), as the power secrets file is. Errors never quote the file's content.
    /// </summary>
    private WebhookSecret? ReadSecretFile(YamlScalar node, string path, string file)
    {
        byte[] bytes;
        try
        {
            if (!File.Exists(file))
            {
                Error(node, path, $"{file}: no such file (expected the webhook's signing secret there, mode 0600: head -c 32 /dev/urandom | base64 > {file}; chmod 600 {file})");
                return null;
            }
            var mode = OperatingSystem.IsWindows() ? UnixFileMode.None : File.GetUnixFileMode(file);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                Error(node, path, $"{file}: mode {Convert.ToString((int)mode, 8)} lets others read or change the signing secret (expected 0600: chmod 600 {file})");
                return null;
            }
            if (new FileInfo(file).Length > MaxSecretBytes)
            {
                Error(node, path, $"{file}: more than {MaxSecretBytes} bytes (expected one line, the secret)");
                return null;
            }
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error(node, path, $"{file}: cannot read it: {e.Message} (the agent runs as root, which can; netbootpi check needs the same)");
            return null;
        }
        var text = bytes.AsSpan();
        while (text.Length > 0 && text[^1] is (byte)'\n' or (byte)'\r') text = text[..^1];
        if (text.IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            Error(node, path, $"{file}: more than one line (expected the secret alone, on one line)");
            return null;
        }
        if (text.Length < MinSecretBytes)
        {
            Error(node, path, $"{file}: the secret is {text.Length} bytes (expected at least {MinSecretBytes}: head -c 32 /dev/urandom | base64 > {file})");
            return null;
        }
        return new WebhookSecret(text);
    }
}

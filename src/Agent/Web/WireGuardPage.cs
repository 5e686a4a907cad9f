using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NetbootPi.Agent.Web;

/// <summary>
/// The box's WireGuard tunnel (<c>GET /api/v1/wireguard/peers</c>): its interface, address, endpoint and peers file,
/// and each peer with its address, public key, whether it is enabled, and what the kernel says of it (its state, latest
/// handshake, bytes in and out), in words when the kernel could not be asked. For admins (the role the peers' changes
/// need) the script (<c>/assets/admin.js</c>) adds a peer with a key pair it makes in the browser (WebCrypto's X25519;
/// the API gets the public key only, and the config with the private key, with a QR code of it drawn by the vendored
/// qrcode-generator, is shown once in the page) or by a public key its owner made (the API takes no private key: the
/// box never holds one), and shows its client config once; disables, enables and removes peers after a confirm.
/// </summary>
internal static class WireGuardPage
{
    public static string Render(ApiAnswer peers, bool mayChange, DateTimeOffset now, string qrLicenceUrl)
    {
        var s = new StringBuilder(8192);
        s.Append("<h1>WireGuard</h1>");
        if (peers.Json is not { } j)
        {
            s.Append("<p class=\"notice bad\" role=\"alert\">").Append(Html.E(peers.Error)).Append("</p>");
            return s.ToString();
        }
        if (mayChange)
        {
            s.Append("<p id=\"admin-result\" class=\"notice\" role=\"status\" hidden></p>");
            UsersPage.Confirm(s);
        }
        s.Append("<dl class=\"facts\">");
        Fact(s, "Interface", $"<code>{Html.E(Html.Str(j, "interface"))}</code>");
        Fact(s, "The box's address", $"<code>{Html.E(Html.Str(j, "address"))}</code>");
        Fact(s, "Endpoint peers dial", Html.Str(j, "endpoint") is { } endpoint ? $"<code class=\"wrap\">{Html.E(endpoint)}</code>" : "<span class=\"hint\">none in the site</span>");
        Fact(s, "Listen port", $"UDP <code>{Html.Num(j, "listen_port")}</code>");
        Fact(s, "Peers file", $"<code class=\"wrap\">{Html.E(Html.Str(j, "peers_file"))}</code>");
        s.Append("</dl>");
        var kernelError = Html.Str(j, "kernel_error");
        if (kernelError is not null)
            s.Append("<p class=\"notice warn\" id=\"kernel\">The tunnel is not running here: the kernel could not be asked about it, so no peer shows a handshake or bytes. ")
                .Append("<span class=\"wrap\">").Append(Html.E(kernelError)).Append("</span></p>");

        var list = Html.Obj(j, "peers");
        var count = list.ValueKind == JsonValueKind.Array ? list.GetArrayLength() : 0;
        s.Append("<section id=\"peers-box\" aria-labelledby=\"peers-h\"><h2 id=\"peers-h\">Peers (").Append(count).Append(")</h2>");
        if (count == 0) s.Append("<p>No peers yet.</p>");
        else
        {
            s.Append("<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"The peers, scrolling sideways\"><table id=\"peers\"><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Address</th><th scope=\"col\">Public key</th>")
                .Append("<th scope=\"col\">Enabled</th><th scope=\"col\">Kernel</th><th scope=\"col\">Last handshake</th><th scope=\"col\">Transfer</th>");
            if (mayChange) s.Append("<th scope=\"col\">Actions</th>");
            s.Append("</tr></thead><tbody>");
            foreach (var p in list.EnumerateArray()) Row(s, p, mayChange, now);
            s.Append("</tbody></table></div>");
        }
        s.Append("</section>");

        if (mayChange) AddForm(s, qrLicenceUrl);
        else s.Append("<p class=\"hint\">Adding, disabling, enabling and removing peers need the admin role.</p>");
        return s.ToString();
    }

    // Someone may be coming in through that very peer: the agent puts the tunnel back unless the change is confirmed.
    private const string Confirm = "Where the agent manages the network this is a network change: confirm it on the site page before its deadline, or it is put back.";

    private static void Row(StringBuilder s, JsonElement p, bool mayChange, DateTimeOffset now)
    {
        var name = Html.Str(p, "name") ?? "";
        var key = Html.Str(p, "public_key") ?? "";
        var enabled = p.TryGetProperty("enabled", out var e) && e.ValueKind == JsonValueKind.True;
        s.Append("<tr data-peer=\"").Append(Html.E(name)).Append("\"><th scope=\"row\">").Append(Html.E(name)).Append("</th>");
        s.Append("<td><code>").Append(Html.E(Html.Str(p, "address"))).Append("</code></td>");
        // Shortened as wg prints it; the whole key one click away, readable and selectable (a title is neither).
        s.Append("<td><details class=\"key\"><summary><code>").Append(Html.E(key.Length > 12 ? key[..8] + "…" : key)).Append("</code></summary><code class=\"wrap\">")
            .Append(Html.E(key)).Append("</code></details></td>");
        s.Append("<td>");
        Html.Badge(s, enabled ? "ok" : "idle", enabled ? "enabled" : "disabled");
        s.Append("</td><td>");
        var state = Html.Str(p, "state");
        var (level, words) = state switch
        {
            "up" => ("ok", "up: a handshake in the last 3 minutes"),
            "idle" => ("idle", "idle: no handshake in the last 3 minutes"),
            "never" => ("warn", "on the interface, never connected"),
            "missing" => ("idle", "not running: not on the interface"),
            "disabled" => ("idle", "disabled: handshakes refused"),
            _ => ("idle", state ?? "unknown"),
        };
        Html.Badge(s, level, words);
        if (Html.Str(p, "endpoint") is { } from) s.Append("<br><span class=\"hint\">from <code>").Append(Html.E(from)).Append("</code></span>");
        s.Append("</td><td>");
        if (Html.Parse(Html.Str(p, "latest_handshake")) is { } h)
            s.Append(Html.Time(Html.Str(p, "latest_handshake"))).Append(" <span class=\"hint\">(").Append(Html.Duration(now - h)).Append(" ago)</span>");
        else s.Append("never");
        s.Append("</td><td class=\"num\">");
        long received = Html.Num(p, "received_bytes"), sent = Html.Num(p, "sent_bytes");
        if (received == 0 && sent == 0) s.Append("none");
        else s.Append(Bytes(received)).Append(" in, ").Append(Bytes(sent)).Append(" out");
        s.Append("</td>");
        if (mayChange)
        {
            s.Append("<td><div class=\"row-buttons\">");
            var verb = enabled ? "disable" : "enable";
            Action(s, verb, name, enabled ? "Disable" : "Enable",
                enabled ? $"Disable peer {name}? Its handshakes are refused until it is enabled again. {Confirm}" : $"Enable peer {name}? It can connect again.");
            Action(s, "remove", name, "Remove", $"Remove peer {name}? It is taken out of the peers file; to come back it must be added again. {Confirm}");
            s.Append("</div></td>");
        }
        s.Append("</tr>");
    }

    /// <summary>A button the script asks to confirm (its question in <c>data-confirm</c>) before it calls the API.</summary>
    internal static void Action(StringBuilder s, string action, string name, string label, string question) =>
        s.Append("<button type=\"button\" data-action=\"").Append(action).Append("\" data-name=\"").Append(Html.E(name)).Append("\" data-confirm=\"")
            .Append(Html.E(question)).Append("\" aria-label=\"").Append(label).Append(' ').Append(Html.E(name)).Append("\">").Append(label).Append("</button>");

    private static void AddForm(StringBuilder s, string qrLicenceUrl)
    {
        s.Append("<section aria-labelledby=\"add-h\"><h2 id=\"add-h\">Add a peer</h2>");
        s.Append("<form id=\"peer-form\" class=\"admin-form\">");
        s.Append("<label for=\"peer-name\">Name</label><input id=\"peer-name\" name=\"name\" required autocomplete=\"off\" spellcheck=\"false\">");
        // Made here by default: the page's script makes the pair with WebCrypto and sends the public half only.
        s.Append("<fieldset class=\"choices\" id=\"peer-keys\"><legend>Its key pair</legend>");
        s.Append("<label><input type=\"radio\" name=\"keys\" value=\"browser\" id=\"peer-keys-browser\" checked> made in this browser (a config with its private key and a QR code)</label>");
        s.Append("<label><input type=\"radio\" name=\"keys\" value=\"paste\" id=\"peer-keys-paste\"> made by the peer: paste its public key</label></fieldset>");
        s.Append("<p class=\"hint\" id=\"peer-keys-browser-hint\">This browser makes the key pair (X25519, WebCrypto) and sends the box the public key only. ")
            .Append("The private key is put into the config shown below and nowhere else: it is not sent, stored or logged, and it is gone when this page is left or reloaded.</p>");
        s.Append("<p class=\"notice warn\" id=\"peer-keys-none\" hidden>This browser cannot make WireGuard keys (no X25519 in its WebCrypto): paste a public key the peer made.</p>");
        s.Append("<div id=\"peer-key-box\" hidden>");
        s.Append("<p class=\"hint\">The peer makes its own key pair (<code>wg genkey | tee peer.key | wg pubkey</code>, or the WireGuard app's “generate”) and gives its public key. ")
            .Append("<code>netbootpi wg peer add NAME</code> on the box makes the pair there and prints the whole config with a QR code.</p>");
        s.Append("<label for=\"peer-key\">Public key</label><input id=\"peer-key\" name=\"public_key\" autocomplete=\"off\" spellcheck=\"false\" aria-describedby=\"peer-key-hint\">");
        s.Append("<span class=\"hint block\" id=\"peer-key-hint\">44 characters of base64, as <code>wg pubkey</code> prints it</span></div>");
        s.Append("<label for=\"peer-address\">Tunnel address <span class=\"hint\">(optional: the first free one)</span></label><input id=\"peer-address\" name=\"address\" autocomplete=\"off\" spellcheck=\"false\">");
        s.Append("<p class=\"buttons\"><button type=\"submit\" id=\"peer-add\">Add the peer</button></p></form>");
        s.Append("<section id=\"client\" aria-labelledby=\"client-h\" hidden><h3 id=\"client-h\">The new peer's config</h3>");
        s.Append("<p class=\"notice warn\" id=\"client-paste\">Shown this once. Put the peer's own private key where the comment says, save it as <code>/etc/wireguard/wg-SITE.conf</code> (<code>wg-quick up</code>) or import it in the WireGuard app.</p>");
        s.Append("<p class=\"notice warn\" id=\"client-made\">Shown this once: the config holds the peer's private key, made in this browser and kept nowhere else (not on the box). ")
            .Append("Scan the QR code with the WireGuard app (+, scan from QR code), or save the text as <code>/etc/wireguard/wg-SITE.conf</code> (<code>wg-quick up</code>).</p>");
        s.Append("<pre id=\"client-config\" class=\"diff\" tabindex=\"0\"></pre>");
        s.Append("<figure id=\"client-qr-box\" class=\"qr\"><div id=\"client-qr\"></div><figcaption class=\"hint\">The config above as a QR code, drawn in this browser by ")
            .Append("<a href=\"").Append(Html.E(qrLicenceUrl)).Append("\">qrcode-generator (MIT licence)</a>.</figcaption></figure></section></section>");
    }

    /// <summary>Bytes as people read them: 512 B, 4.2 KiB, 3.1 MiB, 1.0 GiB.</summary>
    internal static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{n / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{n / (1024.0 * 1024):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{n / (1024.0 * 1024 * 1024):0.0} GiB"),
    };

    private static void Fact(StringBuilder s, string term, string html) => s.Append("<dt>").Append(term).Append("</dt><dd>").Append(html).Append("</dd>");
}

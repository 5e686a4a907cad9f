using System.Globalization;
using System.Text;
using System.Text.Json;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Web;

/// <summary>
/// The console host's page (the machine the Pi's USB-C gadget is plugged into; docs/console.md), for when it will not
/// boot: its screen (the MJPEG stream of <c>GET /api/v1/capture/stream</c> and the capture's state), its keyboard (a
/// capture area, paste as typing, special chords; the script sends them through <c>/api/v1/kvm/keys|type|release</c>)
/// and its virtual drive (what is in it, the image catalog with attach and eject, upload and add from a URL with
/// progress). Everything that changes something is on the page only for operators and admins; the API checks again.
/// What the agent cannot do here (no gadget, no capture) is said in the API's own words.
/// </summary>
internal static class ConsoleHostPage
{
    /// <summary>The page of a site without <c>kvm:</c>: not an error, a sentence on how to have one.</summary>
    public static string RenderNone() =>
        "<h1>Console host</h1><p class=\"notice\" id=\"no-console-host\" role=\"status\">This box has no console host configured: the site file has no " +
        "<code>kvm:</code> section. To reach a machine's screen, keyboard and a virtual drive from here, plug the Pi's USB-C port into it, " +
        "name it in the site (<code>kvm: { host: NAME, capture: { device: /dev/video0 } }</code>, NAME one of its hosts) and restart the agent; " +
        "docs/console.md describes the wiring and every key.</p>";

    public static string Render(KvmSettings kvm, ApiAnswer status, ApiAnswer? capture, ApiAnswer images, ApiAnswer jobs,
        IReadOnlyList<(string Name, string? Description)> layouts, bool mayChange)
    {
        var s = new StringBuilder(16384);
        var host = kvm.Host;
        s.Append("<h1 id=\"console-host\" data-host=\"").Append(Html.E(host)).Append("\"").Append(mayChange ? " data-may=\"1\"" : "").Append(">Console host ")
            .Append(Html.E(host)).Append("</h1>");
        s.Append("<p class=\"hint\"><a href=\"/host?name=").Append(Html.E(Uri.EscapeDataString(host))).Append("\">").Append(Html.E(host))
            .Append("'s boot flight recorder</a>").Append(mayChange ? "" : " · this account may watch; typing, capture and media need the operator role").Append("</p>");
        Screen(s, kvm, capture, mayChange);
        Keyboard(s, kvm, status, layouts, mayChange);
        Media(s, status, images, jobs, mayChange);
        return s.ToString();
    }

    private static void Screen(StringBuilder s, KvmSettings kvm, ApiAnswer? capture, bool mayChange)
    {
        s.Append("<section aria-labelledby=\"screen-h\"><h2 id=\"screen-h\">Screen</h2>");
        if (kvm.Capture is null || capture is null)
        {
            s.Append("<p class=\"notice\" id=\"capture-state\" role=\"status\">").Append(Html.E(kvm.Host))
                .Append("'s screen is not captured: the site's <code>kvm:</code> has no <code>capture:</code> (an HDMI capture stick on the Pi; docs/console.md).</p></section>");
            return;
        }
        var running = capture.Json is { } c && Html.Obj(c, "running").ValueKind == JsonValueKind.True;
        s.Append("<p id=\"capture-state\" role=\"status\" class=\"notice ").Append(running ? "ok" : capture.Json is null ? "bad" : "warn").Append("\">")
            .Append(Html.E(CaptureText(capture))).Append("</p>");
        if (mayChange)
            s.Append("<p class=\"buttons\"><button type=\"button\" id=\"capture-start\">Start capture</button> <button type=\"button\" id=\"capture-stop\">Stop capture</button></p>")
                .Append("<p id=\"capture-result\" class=\"notice\" role=\"status\" hidden></p>");
        s.Append("<div id=\"screen-box\" class=\"screen\" data-alt=\"The screen of ").Append(Html.E(kvm.Host)).Append(", live\">");
        if (running) s.Append("<img id=\"screen\" src=\"/api/v1/capture/stream\" alt=\"The screen of ").Append(Html.E(kvm.Host)).Append(", live\">");
        s.Append("</div><p><a id=\"snapshot\" href=\"/api/v1/capture/snapshot\">Snapshot: the screen now, as a JPEG</a></p></section>");
    }

    /// <summary>The capture's state in words (the script says the same from the same reply).</summary>
    private static string CaptureText(ApiAnswer capture)
    {
        if (capture.Json is not { } c) return $"The capture's state cannot be read: {capture.Error}";
        var failure = Html.Str(c, "failure");
        if (Html.Obj(c, "running").ValueKind != JsonValueKind.True)
            return failure is not null ? $"Not capturing: {failure}" : $"Not capturing (the unit {Html.Str(c, "unit")} is {Html.Str(c, "unit_state")}).";
        var text = $"Capturing {Html.Str(c, "device")}, {Html.Str(c, "resolution")}";
        if (Html.Obj(c, "ustreamer") is { ValueKind: JsonValueKind.Object } u)
            text += $": ustreamer sends {Html.Str(u, "resolution")} at {Html.Num(u, "captured_fps")} fps{(Html.Obj(u, "online").ValueKind == JsonValueKind.True ? "" : ", no signal")}";
        if (Html.Str(c, "signal") is { } signal) text += $"; {signal}";
        return text + ".";
    }

    private static void Keyboard(StringBuilder s, KvmSettings kvm, ApiAnswer status, IReadOnlyList<(string Name, string? Description)> layouts, bool mayChange)
    {
        s.Append("<section aria-labelledby=\"keyboard-h\"><h2 id=\"keyboard-h\">Keyboard</h2>");
        if (status.Json is { } k)
        {
            s.Append("<dl class=\"facts\" id=\"kvm-facts\">");
            Fact(s, "USB", $"{Html.E(Html.Str(k, "usb_state"))} <span class=\"hint\">(UDC {Html.E(Html.Str(k, "udc"))})</span>");
            Fact(s, "Layout", Html.E(Html.Str(k, "keyboard_layout")));
            Fact(s, "LEDs lit", $"<span id=\"kvm-leds\">{Html.E(List(Html.Obj(k, "leds")))}</span>");
            Fact(s, "Keys held", $"<span id=\"kvm-held\">{Html.E(List(Html.Obj(k, "held")))}</span>");
            s.Append("</dl>");
        }
        else s.Append("<p class=\"notice bad\" id=\"kvm-state\" role=\"status\">The keyboard and the drive are not available: ").Append(Html.E(status.Error)).Append("</p>");
        if (!mayChange)
        {
            s.Append("</section>");
            return;
        }
        var host = Html.E(kvm.Host);
        s.Append("<p class=\"hint\" id=\"keys-hint\">Click the area below (or press Enter on it) and the keys you press go to ").Append(host)
            .Append(" as they are, shortcuts included, until you press Ctrl+] or leave it.</p>");
        s.Append("<div id=\"keys\" class=\"keys\" tabindex=\"0\" role=\"application\" aria-label=\"Keyboard capture for ").Append(host)
            .Append("\" aria-describedby=\"keys-hint\"><span id=\"keys-mode\">Keyboard capture is off: click here or press Enter.</span> <span id=\"keys-last\" class=\"hint\"></span></div>");
        s.Append("<p class=\"buttons\">");
        foreach (var (keys, repeat, label) in new[] { ("ctrl+alt+delete", 1, "Ctrl+Alt+Del"), ("f12", 10, "F12 ×10 (boot menu)"), ("esc", 1, "Esc") })
            s.Append("<button type=\"button\" class=\"chord\" data-keys=\"").Append(keys).Append("\" data-repeat=\"").Append(repeat).Append("\">").Append(Html.E(label)).Append("</button> ");
        s.Append("<button type=\"button\" id=\"release\">Release all keys</button></p>");
        // The few chords a browser keeps for itself whatever a page does (Ctrl+W, Ctrl+T, Alt+F4), by name.
        s.Append("<form id=\"chord-form\" class=\"row\"><label for=\"chord\" class=\"inline\">Other chord</label>")
            .Append("<input id=\"chord\" class=\"chord-name\" placeholder=\"ctrl+w, alt+f4, meta\" autocomplete=\"off\" spellcheck=\"false\" aria-describedby=\"chord-hint\">")
            .Append(" <button type=\"submit\">Send</button> <span id=\"chord-hint\" class=\"hint\">key names joined by +, as docs/console.md lists them</span></form>");
        s.Append("<form id=\"paste-form\" class=\"paste\"><label for=\"paste\">Paste as typing</label>")
            .Append("<textarea id=\"paste\" rows=\"3\" maxlength=\"4096\" spellcheck=\"false\" autocomplete=\"off\"></textarea><p class=\"row\">")
            .Append("<label for=\"layout\" class=\"inline\">Layout</label><select id=\"layout\" data-site=\"").Append(Html.E(kvm.Layout)).Append("\">");
        foreach (var (name, description) in layouts)
            s.Append("<option value=\"").Append(Html.E(name)).Append('"').Append(name == kvm.Layout ? " selected" : "").Append('>').Append(Html.E(name))
                .Append(description is null || description == name ? "" : ": " + Html.E(description)).Append(name == kvm.Layout ? " (the site's)" : "").Append("</option>");
        s.Append("</select> <button type=\"submit\">Type it</button></p></form>");
        s.Append("<p id=\"kvm-result\" class=\"notice\" role=\"status\" hidden></p></section>");
    }

    private static void Media(StringBuilder s, ApiAnswer status, ApiAnswer images, ApiAnswer jobs, bool mayChange)
    {
        s.Append("<section aria-labelledby=\"media-h\"><h2 id=\"media-h\">Virtual media drive</h2>");
        s.Append("<p id=\"drive\" role=\"status\">");
        if (status.Json is { } k && Html.Obj(k, "media") is { ValueKind: JsonValueKind.Object } m) s.Append(Html.E(DriveText(m)));
        else s.Append("The drive is not available: ").Append(Html.E(status.Error));
        s.Append("</p>");
        if (mayChange) s.Append("<p class=\"buttons\"><button type=\"button\" id=\"eject\">Eject</button></p><p id=\"media-result\" class=\"notice\" role=\"status\" hidden></p>");

        s.Append("<h3 id=\"catalog-h\">Images in the catalog</h3>");
        if (images.Json is not { ValueKind: JsonValueKind.Array } list)
            s.Append("<p class=\"notice bad\">").Append(Html.E(images.Error)).Append("</p>");
        else
        {
            s.Append("<div class=\"scroll\"><table id=\"images\" aria-labelledby=\"catalog-h\"><thead><tr><th scope=\"col\">Name</th><th scope=\"col\" class=\"num\">Size</th><th scope=\"col\">Added</th><th scope=\"col\">From</th>")
                .Append(mayChange ? "<th scope=\"col\">Attach</th>" : "").Append("</tr></thead><tbody>");
            foreach (var i in list.EnumerateArray()) ImageRow(s, i, mayChange);
            s.Append("</tbody></table></div><p class=\"hint\" id=\"images-empty\"").Append(list.GetArrayLength() == 0 ? "" : " hidden").Append(">The catalog is empty.</p>");
        }
        if (!mayChange)
        {
            s.Append("</section>");
            return;
        }
        // The adds under way (another operator's too): shown while there are any, followed by the script.
        var under = jobs.Json is { ValueKind: JsonValueKind.Array } all ? all.EnumerateArray().Where(j => Html.Str(j, "state") is "queued" or "running").ToList() : [];
        s.Append("<div id=\"adds\"").Append(under.Count == 0 ? " hidden" : "").Append("><h3 id=\"adds-h\">Adding now</h3><ul id=\"jobs\" class=\"jobs\" aria-labelledby=\"adds-h\">");
        foreach (var j in under) JobItem(s, j);
        s.Append("</ul></div>");

        s.Append("<h3 id=\"upload-h\">Upload an image</h3><form id=\"upload\" class=\"add\" aria-labelledby=\"upload-h\">")
            .Append("<label for=\"upload-file\">Image file</label><input type=\"file\" id=\"upload-file\" required>")
            .Append("<label for=\"upload-name\">Name in the catalog <span class=\"hint\">(optional: the file's name)</span></label><input id=\"upload-name\" autocomplete=\"off\" spellcheck=\"false\">")
            .Append("<p><button type=\"submit\">Upload</button></p>")
            .Append("<div id=\"upload-bar\" class=\"bar\" hidden><label for=\"upload-progress\">Upload progress</label><progress id=\"upload-progress\" max=\"100\" value=\"0\"></progress></div>")
            .Append("<p id=\"upload-status\" role=\"status\"></p></form>");
        s.Append("<h3 id=\"fetch-h\">Add from a URL</h3><form id=\"fetch\" class=\"add\" aria-labelledby=\"fetch-h\">")
            .Append("<label for=\"fetch-url\">URL (http or https)</label><input id=\"fetch-url\" type=\"url\" required autocomplete=\"off\" spellcheck=\"false\">")
            .Append("<label for=\"fetch-name\">Name in the catalog <span class=\"hint\">(optional: the URL's last part)</span></label><input id=\"fetch-name\" autocomplete=\"off\" spellcheck=\"false\">")
            .Append("<label for=\"fetch-sha256\">SHA-256 <span class=\"hint\">(optional: checked when the last byte is in)</span></label><input id=\"fetch-sha256\" autocomplete=\"off\" spellcheck=\"false\">")
            .Append("<p><button type=\"submit\">Add</button></p><p id=\"fetch-status\" role=\"status\"></p></form>");
        s.Append("</section>");
    }

    /// <summary>What is in the drive, in words (the script says the same from the same reply).</summary>
    private static string DriveText(JsonElement m)
    {
        var file = Html.Str(m, "image") ?? Html.Str(m, "file");
        if (file is null) return "The drive is empty.";
        return $"In the drive: {file}, as {(Html.Str(m, "mode") == "cdrom" ? "a CD-ROM" : "a disk")}, {(Html.Obj(m, "read_only").ValueKind == JsonValueKind.True ? "read-only" : "writable")} ({Bytes(Html.Num(m, "bytes"))}).";
    }

    private static void ImageRow(StringBuilder s, JsonElement i, bool mayChange)
    {
        var name = Html.Str(i, "name") ?? "";
        s.Append("<tr data-name=\"").Append(Html.E(name)).Append("\"><th scope=\"row\" class=\"wrap\">").Append(Html.E(name)).Append("</th><td class=\"num\">")
            .Append(Html.E(Bytes(Html.Num(i, "size")))).Append("</td><td>").Append(Html.Time(Html.Str(i, "added")));
        if (Html.Str(i, "added_by") is { } by) s.Append(" <span class=\"hint\">by ").Append(Html.E(by)).Append("</span>");
        s.Append("</td><td class=\"wrap\">").Append(Html.E(Html.Str(i, "source") ?? "copied in")).Append("</td>");
        if (mayChange)
        {
            s.Append("<td><span class=\"attach-buttons\">");
            foreach (var (mode, rw, label) in new[] { ("cdrom", false, "CD-ROM"), ("disk", false, "Disk"), ("disk", true, "Disk, writable") })
                s.Append("<button type=\"button\" class=\"attach\" data-image=\"").Append(Html.E(name)).Append("\" data-mode=\"").Append(mode).Append("\" data-rw=\"")
                    .Append(rw ? "1" : "0").Append("\" aria-label=\"Attach ").Append(Html.E(name)).Append(" as ").Append(label).Append("\">").Append(label).Append("</button>");
            s.Append("</span></td>");
        }
        s.Append("</tr>");
    }

    private static void JobItem(StringBuilder s, JsonElement j)
    {
        var id = Html.Str(j, "id") ?? "";
        var name = Html.Str(j, "name") ?? "";
        s.Append("<li data-job=\"").Append(Html.E(id)).Append("\" data-name=\"").Append(Html.E(name)).Append("\" data-version=\"").Append(Html.Num(j, "version"))
            .Append("\"><label for=\"job-").Append(Html.E(id)).Append("\">").Append(Html.E(name)).Append("</label> <progress id=\"job-").Append(Html.E(id)).Append("\" max=\"100\"");
        var total = Html.Num(j, "total");
        if (total > 0) s.Append(" value=\"").Append(100 * Html.Num(j, "bytes") / total).Append('"');
        s.Append("></progress> <span class=\"job-state\">").Append(Html.E(Html.Str(j, "state"))).Append("</span>");
        // A download can be cancelled (POST /api/v1/images/cancel); an upload ends when its sender stops.
        if (Html.Str(j, "kind") == "fetch")
            s.Append(" <button type=\"button\" class=\"cancel\" data-name=\"").Append(Html.E(name)).Append("\" aria-label=\"Cancel the download of ").Append(Html.E(name))
                .Append("\">Cancel</button>");
        s.Append("</li>");
    }

    private static string List(JsonElement array) =>
        array.ValueKind == JsonValueKind.Array && array.GetArrayLength() > 0 ? string.Join(", ", array.EnumerateArray().Select(x => x.GetString())) : "none";

    /// <summary>A size as people read it: 4,194,304 bytes (4.0 MiB).</summary>
    public static string Bytes(long n) => n < 1024 * 1024
        ? string.Create(CultureInfo.InvariantCulture, $"{n:N0} bytes")
        : string.Create(CultureInfo.InvariantCulture, $"{n:N0} bytes ({n / 1048576.0:0.0} MiB)");

    private static void Fact(StringBuilder s, string term, string html) => s.Append("<dt>").Append(term).Append("</dt><dd>").Append(html).Append("</dd>");
}

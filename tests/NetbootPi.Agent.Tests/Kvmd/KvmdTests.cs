using System.Text.Json;
using NetbootPi.Agent.Control.Accounts;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Kvmd;

/// <summary>
/// kvmd's API subset against the agent as its own process (one for the class, <see cref="KvmdBox"/>), with requests
/// shaped as PiKVM's documentation and kvmd's clients send them (curl): its auth forms and codes, ATX on a real qemu
/// through QMP, MSD uploads by body and by URL into the catalog, the drive's and the keyboard's refusals as the Agent
/// tier has no USB gadget (the gadget itself is the kernel lab's), and the snapshot's when no capture runs.
/// </summary>
public sealed class KvmdTests(KvmdBox kvmd) : IClassFixture<KvmdBox>
{
    private const string Password = KvmdBox.Password;

    private static string[] As(string user, string? password = null) => ["-H", $"X-KVMD-User: {user}", "-H", $"X-KVMD-Passwd: {password ?? Password}"];

    private static JsonElement Json(CurlResult r) => JsonDocument.Parse(r.Text).RootElement;

    /// <summary>A refusal's status, kvmd's error name and the sentence, checking the envelope's shape.</summary>
    private static (int Status, string Error, string Message) Refusal(CurlResult r)
    {
        var root = Json(r);
        Assert.False(root.GetProperty("ok").GetBoolean(), r.Text);
        var result = root.GetProperty("result");
        return (r.Status, result.GetProperty("error").GetString()!, result.GetProperty("error_msg").GetString()!);
    }

    private static (int Status, string Error) Kind(CurlResult r)
    {
        var (status, error, _) = Refusal(r);
        return (status, error);
    }

    private static void Done(CurlResult r)
    {
        Assert.True(r.Status == 200, $"{r.Status} {r.Text}");
        Assert.Equal("""{"ok":true,"result":{}}""", JsonSerializer.Serialize(Json(r)));
    }

    [Fact]
    public void Auth_takes_kvmd_headers_Basic_its_cookie_tokens_and_TOTP_and_refuses_with_kvmd_codes()
    {
        kvmd.Require();
        var box = kvmd.Box;
        // Nothing: 401, no WWW-Authenticate (kvmd sends none); wrong: 403.
        var none = box.Curl("GET", "/api/auth/check");
        Assert.Equal((401, "UnauthorizedError"), (none.Status, Refusal(none).Error));
        Assert.Null(none.Header("WWW-Authenticate"));
        Done(box.Curl("GET", "/api/auth/check", As("victor")));
        Assert.Equal((403, "ForbiddenError"), Kind(box.Curl("GET", "/api/auth/check", As("victor", "nope"))));
        Done(box.Curl("GET", "/api/auth/check", "-u", $"olive:{Password}"));
        Assert.Equal((403, "ForbiddenError"), Kind(box.Curl("GET", "/api/auth/check", "-u", "olive:nope")));
        Assert.Equal(401, box.Curl("GET", "/api/auth/check", "-H", "Authorization: Basic !!").Status);
        // An API token in the password's place, or as the API's bearer.
        Done(box.Curl("GET", "/api/auth/check", As("whoever", kvmd.OperatorToken)));
        Done(box.Curl("GET", "/api/auth/check", "-H", $"Authorization: Bearer {kvmd.OperatorToken}"));
        // TOTP: the code appended to the password, as PiKVM's 2FA; the password alone is wrong.
        Assert.Equal(403, box.Curl("GET", "/api/auth/check", As("tina")).Status);
        Done(box.Curl("GET", "/api/auth/check", As("tina", Password + Totp.Code(kvmd.TotpSecret, Totp.StepOf(DateTimeOffset.UtcNow)))));

        // The login of PiKVM's documentation: a form; the auth_token cookie; 403 when wrong.
        Assert.Equal((403, "ForbiddenError"), Kind(box.Curl("POST", "/api/auth/login", "--data", "user=olive", "--data", "passwd=nope")));
        var login = box.Curl("POST", "/api/auth/login", "--data", "user=olive", "--data-urlencode", $"passwd={Password}");
        Done(login);
        var setCookie = login.Header("Set-Cookie")!;
        Assert.Matches("^auth_token=[A-Za-z0-9_-]{43}; Path=/; Max-Age=[0-9]+; HttpOnly; Secure; SameSite=Strict$", setCookie);
        var cookie = setCookie[..setCookie.IndexOf(';')];
        Done(box.Curl("GET", "/api/auth/check", "-b", cookie));
        Assert.Equal((403, "ForbiddenError"), Kind(box.Curl("GET", "/api/auth/check", "-b", "auth_token=nosuch")));

        // A change with the cookie alone (a browser sends it by itself): refused without the box's Origin or an
        // X-KVMD- header; with either it goes past the credentials (to the drive, which is not there).
        var forged = box.Curl("POST", "/api/msd/set_params?cdrom=0", "-b", cookie);
        Assert.Equal((403, "ForbiddenError"), Kind(forged));
        Assert.Contains("send an Origin that is this box's own", Refusal(forged).Message);
        Assert.Equal(403, box.Curl("POST", "/api/msd/set_params?cdrom=0", "-b", cookie, "-H", "Origin: https://evil.example").Status);
        Assert.Equal((400, "MsdOfflineError"), Kind(box.Curl("POST", "/api/msd/set_params?cdrom=0", "-b", cookie, "-H", $"Origin: {box.Url}")));
        Assert.Equal((400, "MsdOfflineError"), Kind(box.Curl("POST", "/api/msd/set_params?cdrom=0", "-b", cookie, "-H", "X-KVMD-Client: script")));

        // A viewer reads and may not act.
        var viewer = box.Curl("POST", "/api/atx/power?action=on", As("victor"));
        Assert.Equal((403, "ForbiddenError"), Kind(viewer));
        Assert.Contains("needs the operator role", Refusal(viewer).Message);

        // The logout ends the cookie's session.
        Done(box.Curl("POST", "/api/auth/logout", "-b", cookie));
        Assert.Equal(403, box.Curl("GET", "/api/auth/check", "-b", cookie).Status);
        Assert.DoesNotContain(Password, box.Process.Output);
    }

    [Fact]
    public async Task Atx_powers_the_console_host_through_its_wiring_with_its_events()
    {
        kvmd.Require();
        var box = kvmd.Box;
        var atx = Json(box.Curl("GET", "/api/atx", kvmd.Viewer));
        Assert.True(atx.GetProperty("ok").GetBoolean());
        Assert.True(atx.GetProperty("result").GetProperty("enabled").GetBoolean());
        Assert.False(atx.GetProperty("result").GetProperty("busy").GetBoolean());

        var mark = box.Process.Mark;
        Done(box.Curl("POST", "/api/atx/power?action=on&wait=1", kvmd.Operator));
        Assert.True(Json(box.Curl("GET", "/api/atx", kvmd.Viewer)).GetProperty("result").GetProperty("leds").GetProperty("power").GetBoolean());
        Done(box.Curl("POST", "/api/atx/click?button=power_long", kvmd.Operator));
        Assert.False(Json(box.Curl("GET", "/api/atx", kvmd.Viewer)).GetProperty("result").GetProperty("leds").GetProperty("power").GetBoolean());
        Assert.Equal((400, "ValidatorError", "The argument 'up' is not a valid ATX power action: on, off, off_hard or reset_hard"),
            Refusal(box.Curl("POST", "/api/atx/power?action=up", kvmd.Operator)));
        Assert.Equal((400, "ValidatorError"), Kind(box.Curl("POST", "/api/atx/click?button=power&wait=maybe", kvmd.Operator)));

        // The power service's events, and the router's audit lines, as for the native API.
        box.Process.WaitFor(l => l.Contains("control: user olive (from ", StringComparison.Ordinal) && l.Contains("asks POST /api/atx/click", StringComparison.Ordinal),
            mark, "the audit line of olive's click");
        var (_, list, _) = await box.Cli("events", "pc", "--config", box.SitePath);
        Assert.Contains("user:olive", list);
        Assert.Contains("on: on (was prelaunch, now running)", list);
        Assert.Contains("off --force: ", list);
    }

    [Fact]
    public async Task Msd_uploads_by_body_and_by_URL_into_the_catalog_and_removes_and_the_drive_says_why_it_is_not_there()
    {
        kvmd.Require();
        var box = kvmd.Box;
        var file = Path.Combine(Path.GetTempPath(), $"kvmd-{Guid.NewGuid():N}.img");
        var bytes = new byte[300_000];
        Random.Shared.NextBytes(bytes);
        File.WriteAllBytes(file, bytes);
        try
        {
            // kvmd's own upload: the raw body (curl --data-binary), the name in the query.
            var write = box.Curl("POST", "/api/msd/write?image=disk.img", [.. kvmd.Operator, "-H", "Content-Type: application/octet-stream", "--data-binary", $"@{file}"]);
            Assert.True(write.Status == 200, write.Text);
            var image = Json(write).GetProperty("result").GetProperty("image");
            Assert.Equal(("disk.img", 300_000L, 300_000L), (image.GetProperty("name").GetString(), image.GetProperty("size").GetInt64(), image.GetProperty("written").GetInt64()));
            Assert.Equal((400, "MsdImageExistsError"), Kind(box.Curl("POST", "/api/msd/write?image=disk.img", [.. kvmd.Operator, "--data-binary", $"@{file}"])));
            Assert.Equal((400, "ValidatorError"), Kind(box.Curl("POST", "/api/msd/write?image=../x.img", [.. kvmd.Operator, "--data-binary", $"@{file}"])));
        }
        finally
        {
            File.Delete(file);
        }

        // By URL: the catalog's download, its progress as kvmd's lines of JSON.
        var iso = new byte[200_000];
        Random.Shared.NextBytes(iso);
        kvmd.Origin.Files["c.iso"] = iso;
        var remote = box.Curl("POST", $"/api/msd/write_remote?url={Uri.EscapeDataString(kvmd.Origin.Allowed + "/files/c.iso")}", kvmd.Operator);
        Assert.Equal((200, "application/x-ndjson"), (remote.Status, remote.Header("Content-Type")));
        var last = JsonDocument.Parse(remote.Text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
        Assert.True(last.GetProperty("ok").GetBoolean(), remote.Text);
        Assert.Equal(("c.iso", 200_000L), (last.GetProperty("result").GetProperty("image").GetProperty("name").GetString(), last.GetProperty("result").GetProperty("image").GetProperty("written").GetInt64()));
        Assert.Equal((400, "ValidatorError"), Kind(box.Curl("POST", "/api/msd/write_remote?url=ftp://127.0.0.2/x.iso", kvmd.Operator)));

        var msd = Json(box.Curl("GET", "/api/msd", kvmd.Viewer)).GetProperty("result");
        Assert.True(msd.GetProperty("enabled").GetBoolean());
        Assert.False(msd.GetProperty("online").GetBoolean());
        Assert.Equal(JsonValueKind.Null, msd.GetProperty("drive").ValueKind);
        var images = msd.GetProperty("storage").GetProperty("images");
        Assert.Equal(300_000, images.GetProperty("disk.img").GetProperty("size").GetInt64());
        Assert.True(images.GetProperty("disk.img").GetProperty("writable").GetBoolean());
        Assert.True(images.GetProperty("c.iso").GetProperty("complete").GetBoolean());
        Assert.True(msd.GetProperty("storage").GetProperty("parts").GetProperty("").GetProperty("free").GetInt64() > 0);

        // The drive: kvmd's refusals, with the box's reason.
        var offline = Refusal(box.Curl("POST", "/api/msd/set_params?image=disk.img&cdrom=0", kvmd.Operator));
        Assert.Equal((400, "MsdOfflineError"), (offline.Status, offline.Error));
        Assert.Contains("the USB gadget for the console host pc (", offline.Message);
        Assert.Equal((400, "MsdRemoteDisabledError"), Kind(box.Curl("POST", "/api/msd/set_params?image=https://example.com/a.iso", kvmd.Operator)));
        Assert.Equal((400, "MsdOfflineError"), Kind(box.Curl("POST", "/api/msd/set_connected?connected=1", kvmd.Operator)));
        Assert.Equal((400, "ValidatorError"), Kind(box.Curl("POST", "/api/msd/set_connected?connected=maybe", kvmd.Operator)));

        var mark = box.Process.Mark;
        Done(box.Curl("POST", "/api/msd/remove?image=disk.img", kvmd.Operator));
        Assert.Equal((400, "MsdUnknownImageError"), Kind(box.Curl("POST", "/api/msd/remove?image=disk.img", kvmd.Operator)));
        Assert.False(Json(box.Curl("GET", "/api/msd", kvmd.Viewer)).GetProperty("result").GetProperty("storage").GetProperty("images").TryGetProperty("disk.img", out _));
        box.Process.WaitFor(l => l.Contains("control: user olive (from ", StringComparison.Ordinal) && l.Contains("asks POST /api/msd/remove", StringComparison.Ordinal),
            mark, "the audit line of olive's removal");
        // The catalog's events, as for the native upload and removal.
        var (_, events, _) = await box.Cli("events", "--kind", "image", "--config", box.SitePath);
        Assert.Contains("added disk.img by upload", events);
        Assert.Contains("user:olive", events);
    }

    [Fact]
    public void Hid_and_the_snapshot_check_their_input_and_say_why_the_keyboard_and_the_screen_are_not_there()
    {
        kvmd.Require();
        var box = kvmd.Box;
        var print = Refusal(box.Curl("POST", "/api/hid/print", [.. kvmd.Operator, "-H", "Content-Type: text/plain", "--data-binary", "hello"]));
        Assert.Equal((400, "OperationError"), (print.Status, print.Error));
        Assert.Contains("the USB gadget for the console host pc (", print.Message);
        Assert.Contains("us, us-intl", Refusal(box.Curl("POST", "/api/hid/print?keymap=klingon", [.. kvmd.Operator, "--data-binary", "x"])).Message);
        Assert.Equal((400, "OperationError"), Kind(box.Curl("POST", "/api/hid/print?keymap=de-ch", [.. kvmd.Operator, "--data-binary", "x"])));
        Assert.Equal((400, "OperationError"), Kind(box.Curl("POST", "/api/hid/events/send_key?key=ControlLeft&state=1", kvmd.Operator)));
        Assert.Equal((400, "ValidatorError"), Kind(box.Curl("POST", "/api/hid/events/send_key?key=ctrl", kvmd.Operator)));
        Assert.Equal((400, "ValidatorError"), Kind(box.Curl("POST", "/api/hid/events/send_key?key=KeyA&state=maybe", kvmd.Operator)));
        Assert.Equal(403, box.Curl("POST", "/api/hid/events/send_key?key=KeyA", kvmd.Viewer).Status);

        var snapshot = Refusal(box.Curl("GET", "/api/streamer/snapshot", kvmd.Viewer));
        Assert.Equal((503, "UnavailableError"), (snapshot.Status, snapshot.Error));
    }
}

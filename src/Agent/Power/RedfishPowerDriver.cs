using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NetbootPi.Agent.Site;
using NetbootPi.Hardware.Power;

namespace NetbootPi.Agent.Power;

/// <summary>
/// A BMC over Redfish (DMTF DSP0266): the system's <c>PowerState</c> from <c>GET /redfish/v1/Systems/ID</c>, and
/// <c>POST .../Actions/ComputerSystem.Reset</c> with a <c>ResetType</c> (On, GracefulShutdown, ForceOff, PowerCycle,
/// ForceRestart). HTTP basic authentication with the account from the power secrets file. A BMC's certificate is
/// usually self-signed: it is trusted when its SHA-256 fingerprint is the one the site pins, or, with
/// <c>insecure: true</c>, whatever it is; otherwise the system's CAs decide.
/// </summary>
public sealed class RedfishPowerDriver : IHostPowerDriver
{
    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly string? _system;

    public RedfishPowerDriver(HostPower power, BmcCredentials account)
    {
        _base = power.RedfishUrl!;
        _system = power.RedfishSystem;
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) };
        if (power.CertificateSha256 is { } pin)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
                cert is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(cert.GetRawCertData()), pin);
        else if (power.Insecure)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        _http = new HttpClient(handler) { BaseAddress = _base, Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{account.Username}:{account.Password}")));
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    public static RedfishPowerDriver For(string siteFile, HostEntry host)
    {
        var errors = new List<SiteError>();
        var secrets = PowerSecrets.Load(PowerSecrets.PathFor(siteFile), errors) ?? throw new PowerException(string.Join("; ", errors));
        if (!secrets.TryGetValue(host.Name, out var account))
            throw new PowerException($"no account for host {host.Name} in {PowerSecrets.PathFor(siteFile)}");
        return new RedfishPowerDriver(host.Power!, account);
    }

    public async Task<PowerReply> RunAsync(PowerAction action, CancellationToken cancellation)
    {
        try
        {
            var system = await SystemPathAsync(cancellation).ConfigureAwait(false);
            var before = await PowerStateAsync(system, cancellation).ConfigureAwait(false);
            if (action == PowerAction.Status)
                return new PowerReply(before != PowerState.Unknown, before, $"{Name(before)} (the BMC says)");
            if (action == PowerAction.On && before == PowerState.On) return new PowerReply(true, before, "already on (the BMC says)");
            if (action is PowerAction.Off or PowerAction.ForceOff && before == PowerState.Off) return new PowerReply(true, before, "already off (the BMC says)");
            var resetType = action switch
            {
                PowerAction.On => "On",
                PowerAction.Off => "GracefulShutdown",
                PowerAction.ForceOff => "ForceOff",
                PowerAction.Cycle => "PowerCycle",
                _ => "ForceRestart",
            };
            using var body = new StringContent($"{{\"ResetType\":\"{resetType}\"}}", Encoding.UTF8, "application/json");
            using var response = await _http.PostAsync($"{system}/Actions/ComputerSystem.Reset", body, cancellation).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return new PowerReply(false, before, $"the BMC refused ResetType {resetType}: {await DescribeAsync(response, cancellation).ConfigureAwait(false)}");
            var after = await PowerStateAsync(system, cancellation).ConfigureAwait(false);
            var wanted = action switch { PowerAction.On or PowerAction.Cycle or PowerAction.Reset => PowerState.On, PowerAction.ForceOff => PowerState.Off, _ => after };
            return new PowerReply(after == wanted, after, $"ResetType {resetType}: now {Name(after)}");
        }
        catch (HttpRequestException e)
        {
            throw new PowerException($"cannot reach the Redfish service at {_base}: {e.Message}{(e.InnerException is AuthenticationException ? " (the certificate is not the pinned one: check power.fingerprint against 'openssl s_client' of the BMC)" : "")}", e);
        }
        catch (JsonException e)
        {
            throw new PowerException($"{_base} answered with something that is not Redfish JSON: {e.Message}", e);
        }
    }

    private async Task<string> SystemPathAsync(CancellationToken cancellation)
    {
        if (_system is not null) return $"/redfish/v1/Systems/{_system}";
        using var doc = await GetAsync("/redfish/v1/Systems", cancellation).ConfigureAwait(false);
        var members = doc.RootElement.GetProperty("Members");
        if (members.GetArrayLength() != 1)
            throw new PowerException($"{_base}redfish/v1/Systems has {members.GetArrayLength()} systems (name one with power.system)");
        return members[0].GetProperty("@odata.id").GetString()!;
    }

    private async Task<PowerState> PowerStateAsync(string system, CancellationToken cancellation)
    {
        using var doc = await GetAsync(system, cancellation).ConfigureAwait(false);
        return doc.RootElement.TryGetProperty("PowerState", out var s) ? s.GetString() switch
        {
            "On" or "PoweringOff" => PowerState.On,
            "Off" or "PoweringOn" => PowerState.Off,
            _ => PowerState.Unknown,
        } : PowerState.Unknown;
    }

    private async Task<JsonDocument> GetAsync(string path, CancellationToken cancellation)
    {
        using var response = await _http.GetAsync(path, cancellation).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new PowerException($"GET {_base}{path.TrimStart('/')}: {await DescribeAsync(response, cancellation).ConfigureAwait(false)}{(response.StatusCode == HttpStatusCode.Unauthorized ? $" (check the account in {PowerSecrets.FileName})" : "")}");
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellation).ConfigureAwait(false);
        return JsonDocument.Parse(bytes);
    }

    /// <summary>The status and the Redfish error's message (DSP0266 §9.6: <c>error.message</c>, or the first of <c>@Message.ExtendedInfo</c>).</summary>
    private static async Task<string> DescribeAsync(HttpResponseMessage response, CancellationToken cancellation)
    {
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        try
        {
            using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellation).ConfigureAwait(false));
            if (doc.RootElement.TryGetProperty("error", out var error))
            {
                if (error.TryGetProperty("@Message.ExtendedInfo", out var info) && info.GetArrayLength() > 0 && info[0].TryGetProperty("Message", out var m))
                    return $"{status}: {m.GetString()}";
                if (error.TryGetProperty("message", out var msg)) return $"{status}: {msg.GetString()}";
            }
        }
        catch (JsonException)
        {
        }
        return status;
    }

    private static string Name(PowerState s) => s switch { PowerState.On => "on", PowerState.Off => "off", _ => "unknown" };

    public void Dispose() => _http.Dispose();
}

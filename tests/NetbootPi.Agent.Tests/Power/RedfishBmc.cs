using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace NetbootPi.Agent.Tests.Power;

/// <summary>
/// A small Redfish service as a BMC presents one (DSP0266, the ComputerSystem schema): HTTPS on 127.0.0.1 with a
/// self-signed certificate, basic authentication, the Systems collection with one member, its PowerState, and
/// the Reset action with the ResetTypes it lists, changing PowerState as a BMC does (409 for On when on, 400 with
/// a Redfish error for a type it does not allow). Every ResetType received is kept.
/// </summary>
internal sealed class RedfishBmc : IAsyncDisposable
{
    public const string SystemId = "System.Embedded.1";
    private const string SystemPath = "/redfish/v1/Systems/" + SystemId;
    private static readonly string[] Allowed = ["On", "ForceOff", "GracefulShutdown", "ForceRestart", "PowerCycle"];
    private readonly WebApplication _app;
    private readonly Lock _gate = new();

    private RedfishBmc(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        Certificate = certificate;
    }

    public X509Certificate2 Certificate { get; }
    public string Fingerprint => Convert.ToHexString(SHA256.HashData(Certificate.RawData));
    public string Url { get; private set; } = "";
    public string PowerState { get; set; } = "Off";
    public List<string> Resets { get; } = [];
    public int Restarts { get; private set; }

    public static async Task<RedfishBmc> StartAsync(string username, string password, CancellationToken cancellation)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=idrac.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certificate = X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), null);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var bmc = new RedfishBmc(app, certificate);
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"));
        app.Use(async (ctx, next) =>
        {
            if (ctx.Request.Headers.Authorization != expected)
            {
                ctx.Response.StatusCode = 401;
                ctx.Response.Headers.WWWAuthenticate = "Basic realm=\"RedfishService\"";
                await Error(ctx, 401, "Base.1.8.NoValidSession", "There is no valid session established with the implementation.");
                return;
            }
            await next(ctx);
        });
        app.MapGet("/redfish/v1/Systems", (HttpContext ctx) => Json(ctx, w =>
        {
            w.WriteString("@odata.id", "/redfish/v1/Systems");
            w.WriteString("@odata.type", "#ComputerSystemCollection.ComputerSystemCollection");
            w.WriteStartArray("Members");
            w.WriteStartObject();
            w.WriteString("@odata.id", SystemPath);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteNumber("Members@odata.count", 1);
        }));
        app.MapGet(SystemPath, (HttpContext ctx) => Json(ctx, w =>
        {
            w.WriteString("@odata.id", SystemPath);
            w.WriteString("@odata.type", "#ComputerSystem.v1_13_0.ComputerSystem");
            w.WriteString("Id", SystemId);
            lock (bmc._gate) w.WriteString("PowerState", bmc.PowerState);
            w.WriteStartObject("Actions");
            w.WriteStartObject("#ComputerSystem.Reset");
            w.WriteString("target", SystemPath + "/Actions/ComputerSystem.Reset");
            w.WriteStartArray("ResetType@Redfish.AllowableValues");
            foreach (var a in Allowed) w.WriteStringValue(a);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }));
        app.MapPost(SystemPath + "/Actions/ComputerSystem.Reset", async (HttpContext ctx) =>
        {
            using var body = await JsonDocument.ParseAsync(ctx.Request.Body);
            var type = body.RootElement.TryGetProperty("ResetType", out var t) ? t.GetString() : null;
            (int Status, string Code, string Message)? refusal = null;
            lock (bmc._gate)
            {
                var on = bmc.PowerState == "On";
                if (type is null || !Allowed.Contains(type))
                    refusal = (400, "Base.1.8.ActionParameterValueNotInList", $"The value '{type}' for the parameter ResetType is not in the list of acceptable values.");
                else if ((type == "On" && on) || (type is "ForceRestart" or "GracefulShutdown" && !on))
                    refusal = (409, "Base.1.8.PropertyValueConflict", $"ResetType {type} conflicts with PowerState {bmc.PowerState}.");
                else
                {
                    bmc.Resets.Add(type);
                    bmc.PowerState = type switch { "On" or "PowerCycle" or "ForceRestart" => "On", _ => "Off" };
                    if (type is "ForceRestart" or "PowerCycle") bmc.Restarts++;
                }
            }
            if (refusal is { } r) await Error(ctx, r.Status, r.Code, r.Message);
            else ctx.Response.StatusCode = 204;
        });
        await app.StartAsync(cancellation);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        bmc.Url = "https://127.0.0.1:" + new Uri(address).Port;
        return bmc;
    }

    private static Task Json(HttpContext ctx, Action<Utf8JsonWriter> body)
    {
        ctx.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return ctx.Response.Body.WriteAsync(buffer.ToArray()).AsTask();
    }

    private static Task Error(HttpContext ctx, int status, string code, string message)
    {
        ctx.Response.StatusCode = status;
        return Json(ctx, w =>
        {
            w.WriteStartObject("error");
            w.WriteString("code", code);
            w.WriteString("message", "A general error has occurred. See ExtendedInfo for more information.");
            w.WriteStartArray("@Message.ExtendedInfo");
            w.WriteStartObject();
            w.WriteString("MessageId", code);
            w.WriteString("Message", message);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Dispose();
    }
}

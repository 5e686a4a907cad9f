using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using NetbootPi.Agent.Os.Files;

namespace NetbootPi.Agent.Control.Network;

/// <summary>
/// The control API's TLS certificate: the site's own (<c>server.api_cert</c> and <c>api_key</c>), or one the agent
/// makes on first start and keeps in the state directory: ECDSA P-256, self-signed, its subject alternative names
/// the box's names and management addresses. A kept certificate that no longer names an address or name the box has
/// is replaced (the new fingerprint is logged and shown by <c>netbootpi status</c>).
/// </summary>
public static class ApiCertificate
{
    public const string CertificateFile = "api-cert.pem";
    public const string KeyFile = "api-key.pem";
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(3650);

    /// <summary>The certificate to serve and whether it was made just now.</summary>
    /// <exception cref="ApiCertificateException">A file cannot be read or written, or is not a certificate and its key.</exception>
    public static (X509Certificate2 Certificate, bool Created) LoadOrCreate(string stateDirectory, string? certPath, string? keyPath,
        IReadOnlyList<string> names, IReadOnlyList<IPAddress> addresses, IAtomicFiles files, TimeProvider time)
    {
        if (certPath is not null && keyPath is not null) return (Load(certPath, keyPath, "server.api_cert and server.api_key"), false);
        var cert = Path.Combine(stateDirectory, CertificateFile);
        var key = Path.Combine(stateDirectory, KeyFile);
        if (File.Exists(cert) && File.Exists(key))
        {
            var kept = Load(cert, key, "the agent's own certificate (remove both files to have a new one made)");
            if (Covers(kept, names, addresses) && kept.NotAfter.ToUniversalTime() > time.GetUtcNow().UtcDateTime.AddDays(30)) return (kept, false);
            kept.Dispose();
        }
        var made = Create(names, addresses, time);
        try
        {
            Directory.CreateDirectory(stateDirectory);
            // The key first: a certificate on disk without its key would be read back as damaged.
            files.Write(key, Encoding.ASCII.GetBytes(made.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            files.Write(cert, Encoding.ASCII.GetBytes(made.ExportCertificatePem() + "\n"),
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            made.Dispose();
            throw new ApiCertificateException($"the control API's certificate cannot be kept in {stateDirectory}: {e.Message} (server.state_dir must be a directory the agent can write)", e);
        }
        return (made, true);
    }

    /// <summary>SHA-256 of the certificate (DER), as <c>openssl x509 -fingerprint -sha256</c> prints it.</summary>
    public static string Fingerprint(X509Certificate2 certificate) =>
        string.Join(':', SHA256.HashData(certificate.RawData).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    internal static X509Certificate2 Create(IReadOnlyList<string> names, IReadOnlyList<IPAddress> addresses, TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={names.FirstOrDefault() ?? "netbootpi"}"), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names) san.AddDnsName(name);
        foreach (var address in addresses) san.AddIpAddress(address);
        request.CertificateExtensions.Add(san.Build(critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        // No KeyUsage: OpenSSL counts a certificate as self-signed, so usable as its own trust anchor by a client given
        // it (Python's requests, sushy, Ansible: verify=api-cert.pem), only when it has no KeyUsage or one with
        // keyCertSign, which RFC 5280 keeps for CAs. Without the extension every use is allowed; the EKU says server.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = time.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now + Lifetime);
    }

    private static bool Covers(X509Certificate2 certificate, IReadOnlyList<string> names, IReadOnlyList<IPAddress> addresses)
    {
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null) return false;
        var dns = san.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ips = san.EnumerateIPAddresses().ToHashSet();
        return names.All(dns.Contains) && addresses.All(ips.Contains);
    }

    private static X509Certificate2 Load(string certPath, string keyPath, string what)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new ApiCertificateException($"{certPath} with {keyPath} ({what}): {e.Message} (expected a PEM certificate and its PEM private key)", e);
        }
    }
}

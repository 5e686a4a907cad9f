using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary>
/// Which certificate the CLI accepts from a remote box's API: one that chains to <c>--cacert FILE</c> (the box's own
/// <c>api-cert.pem</c>, or the CA that signed the site's certificate) and names the host in the URL; or the one whose
/// SHA-256 is <c>--fingerprint</c> (as <c>netbootpi status</c> prints it on the box); or, with neither, one this
/// machine trusts already. There is no way to accept any certificate: a client that does not check whom it talks to
/// hands its token to whoever is in the middle.
/// </summary>
internal sealed class RemoteTrust
{
    private readonly X509Certificate2Collection? _anchors;
    private readonly string? _caFile;
    private readonly byte[]? _fingerprint;

    private RemoteTrust(X509Certificate2Collection? anchors, string? caFile, byte[]? fingerprint)
    {
        _anchors = anchors;
        _caFile = caFile;
        _fingerprint = fingerprint;
    }

    /// <summary>Why the last certificate was refused, as a sentence; null when none was.</summary>
    public string? Refusal { get; private set; }

    /// <summary>
    /// The trust <paramref name="caFile"/> or <paramref name="fingerprint"/> (at most one) asks for.
    /// Throws <see cref="ControlClientException"/> when the file cannot be read or the fingerprint is not one.
    /// </summary>
    public static RemoteTrust Create(string? caFile, string? fingerprint)
    {
        if (caFile is not null && fingerprint is not null)
            throw new ControlClientException("--cacert and --fingerprint: give one of them (the box's certificate file, or its SHA-256 fingerprint)");
        if (fingerprint is not null)
        {
            var hex = fingerprint.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
            if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
                throw new ControlClientException($"--fingerprint: '{fingerprint}' is not a SHA-256 fingerprint (64 hexadecimal digits, colons allowed, as netbootpi status prints it on the box)");
            return new RemoteTrust(null, null, Convert.FromHexString(hex));
        }
        if (caFile is null) return new RemoteTrust(null, null, null);
        var anchors = new X509Certificate2Collection();
        try
        {
            anchors.ImportFromPemFile(caFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new ControlClientException($"--cacert {caFile}: cannot be read: {e.Message} (expected the box's api-cert.pem, or the CA that signed its certificate, as PEM)");
        }
        if (anchors.Count == 0) throw new ControlClientException($"--cacert {caFile}: holds no PEM certificate (expected the box's api-cert.pem, or the CA that signed its certificate)");
        return new RemoteTrust(anchors, caFile, null);
    }

    /// <summary>SHA-256 of the certificate's DER, as the agent logs it and <c>openssl x509 -fingerprint -sha256</c> prints it.</summary>
    public static string Fingerprint(X509Certificate certificate) =>
        string.Join(':', SHA256.HashData(certificate.GetRawCertData()).Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));

    /// <summary>The TLS handshake's check of the server's certificate.</summary>
    public bool Check(string host, X509Certificate? certificate, SslPolicyErrors errors)
    {
        Refusal = null;
        if (certificate is null)
        {
            Refusal = $"{host} sent no certificate";
            return false;
        }
        if (_fingerprint is not null)
        {
            // Pinned: the name and the chain do not matter, the exact certificate does.
            if (CryptographicOperations.FixedTimeEquals(SHA256.HashData(certificate.GetRawCertData()), _fingerprint)) return true;
            Refusal = $"the certificate of {host} has SHA-256 {Fingerprint(certificate)}, not the one given with --fingerprint ({string.Join(':', _fingerprint.Select(b => b.ToString("X2", CultureInfo.InvariantCulture)))}); " +
                "compare with what netbootpi status prints on the box: if they differ, something else answers in its place";
            return false;
        }
        if (_anchors is null)
        {
            if (errors == SslPolicyErrors.None) return true;
            Refusal = $"the certificate of {host} ({Fingerprint(certificate)}) is not one this machine trusts ({Describe(errors)}): give --cacert FILE (the box's api-cert.pem) " +
                "or --fingerprint SHA256 (netbootpi status prints it on the box)";
            return false;
        }
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            Refusal = $"the certificate of {host} does not name {host} (its subject alternative names are the box's names and management address): use one of them in --url";
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_anchors);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (chain.Build(leaf)) return true;
        Refusal = $"the certificate of {host} ({Fingerprint(certificate)}) is not signed by a certificate in --cacert {_caFile} " +
            $"({string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct())})";
        return false;
    }

    private static string Describe(SslPolicyErrors errors) => errors switch
    {
        SslPolicyErrors.RemoteCertificateChainErrors => "it is self-signed or its issuer is unknown here",
        SslPolicyErrors.RemoteCertificateNameMismatch => "it does not name this host",
        _ => errors.ToString(),
    };
}

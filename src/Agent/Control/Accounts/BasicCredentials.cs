using System.Text;

namespace NetbootPi.Agent.Control.Accounts;

/// <summary>HTTP Basic's credentials (RFC 7617), as Redfish's and kvmd's clients send them.</summary>
public static class BasicCredentials
{
    /// <summary>What a refusal of credentials that do not decode says.</summary>
    public const string NotDecodable = "the Basic credentials are not base64 of NAME:PASSWORD";

    /// <summary>The name and password in <paramref name="encoded"/> (the header's value after <c>Basic </c>); false when it is not base64 of NAME:PASSWORD.</summary>
    public static bool TryDecode(string encoded, out string name, out string password)
    {
        (name, password) = ("", "");
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(encoded.Trim()));
        }
        catch (FormatException)
        {
            return false;
        }
        var colon = text.IndexOf(':');
        if (colon < 0) return false;
        (name, password) = (text[..colon], text[(colon + 1)..]);
        return true;
    }
}

namespace NetbootPi.Agent.Media.Catalog;

/// <summary>
/// The names images have in the catalog: one file name, never a path. Letters, digits and <c>. _ - +</c>, starting
/// with a letter or digit (so never hidden, never <c>.</c> or <c>..</c>), at most <see cref="MaxLength"/>: a name is
/// safe as it is in a URL (<c>/images/NAME</c>), an iPXE script, a shell and the gadget's <c>lun.0/file</c>.
/// </summary>
public static class ImageName
{
    public const int MaxLength = 128;

    /// <summary>Why <paramref name="name"/> cannot name an image, or null when it can.</summary>
    public static string? Refusal(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "an image needs a name (letters, digits and . _ - +, like debian-12.iso)";
        var shown = name.Length > 40 ? name[..40] + "..." : name;
        if (name.Length > MaxLength) return $"the image name '{shown}' is {name.Length} characters long (expected at most {MaxLength})";
        if (name.Contains('/') || name.Contains('\\')) return $"the image name '{shown}' is a path (expected a file name alone, without / or \\)";
        if (name[0] == '.') return $"the image name '{shown}' starts with a dot (hidden files and . or .. are not images)";
        if (!char.IsAsciiLetterOrDigit(name[0])) return $"the image name '{shown}' starts with '{Printable(name[0])}' (expected a letter or digit first)";
        foreach (var c in name)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-' or '+'))
                return $"the image name '{Printable(shown)}' has '{Printable(c)}' (expected letters, digits and . _ - + only)";
        if (name.Contains("..", StringComparison.Ordinal)) return $"the image name '{shown}' has '..' (expected no two dots in a row)";
        return null;
    }

    /// <summary>The name a URL's last path segment gives, or null when it gives none that is valid.</summary>
    public static string? FromUrl(Uri url)
    {
        var last = Uri.UnescapeDataString(url.AbsolutePath.TrimEnd('/').Split('/')[^1]);
        return Refusal(last) is null ? last : null;
    }

    private static string Printable(char c) => c < 0x20 || c == 0x7f ? $"\\x{(int)c:x2}" : c.ToString();

    private static string Printable(string s) => string.Concat(s.Select(Printable));
}

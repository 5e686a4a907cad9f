using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace NetbootPi.Agent.Render;

/// <summary>
/// The text every renderer writes: lines ending in '\n' (never the platform's line end), values formatted the
/// same way on every machine (invariant culture), so the same inputs always give the same bytes.
/// </summary>
public sealed class LineWriter
{
    private readonly StringBuilder _text = new();

    /// <summary>One line; <paramref name="text"/> holds no line end of its own.</summary>
    public LineWriter Line(string text)
    {
        _text.Append(text).Append('\n');
        return this;
    }

    /// <summary>One line from an interpolated string, its values formatted invariantly, with no string made in between.</summary>
    public LineWriter Line([InterpolatedStringHandlerArgument("")] ref LineHandler line)
    {
        _text.Append('\n');
        return this;
    }

    /// <summary>An empty line, as a separator between sections.</summary>
    public LineWriter Blank()
    {
        _text.Append('\n');
        return this;
    }

    public override string ToString() => _text.ToString();

    /// <summary>Appends the parts of <c>$"..."</c> straight to the writer's text.</summary>
    [InterpolatedStringHandler]
    public ref struct LineHandler
    {
        private StringBuilder.AppendInterpolatedStringHandler _inner;

        public LineHandler(int literalLength, int formattedCount, LineWriter writer) =>
            _inner = new StringBuilder.AppendInterpolatedStringHandler(literalLength, formattedCount, writer._text, CultureInfo.InvariantCulture);

        public void AppendLiteral(string value) => _inner.AppendLiteral(value);

        public void AppendFormatted<T>(T value) => _inner.AppendFormatted(value);

        public void AppendFormatted<T>(T value, string? format) => _inner.AppendFormatted(value, format);

        public void AppendFormatted(ReadOnlySpan<char> value) => _inner.AppendFormatted(value);

        public void AppendFormatted(string? value) => _inner.AppendFormatted(value);
    }
}

namespace NetbootPi.Agent.Capture;

/// <summary>An HDMI source's mode as the receiver reads it (VIDIOC_QUERY_DV_TIMINGS): the active picture, progressive or interlaced, the frame rate.</summary>
public sealed record DvTimings(int Width, int Height, bool Interlaced, double Fps, long PixelClock)
{
    public override string ToString() => $"{Width}x{Height}{(Interlaced ? "i" : "p")}{Fps.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)}";
}

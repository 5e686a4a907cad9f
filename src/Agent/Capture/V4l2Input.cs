namespace NetbootPi.Agent.Capture;

/// <summary>One input of a V4L2 capture device (VIDIOC_ENUMINPUT): its index, name, and whether it has DV timings (an HDMI receiver) and so an EDID.</summary>
public sealed record V4l2Input(int Index, string Name, bool HasDvTimings);

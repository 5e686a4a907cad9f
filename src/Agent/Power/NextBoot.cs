namespace NetbootPi.Agent.Power;

/// <summary>A one-time boot set for a host: the target (<c>pxe</c>), since when, who set it.</summary>
public sealed record NextBoot(string Host, string Target, DateTimeOffset Since, string SetBy)
{
    public const string Pxe = "pxe";
}

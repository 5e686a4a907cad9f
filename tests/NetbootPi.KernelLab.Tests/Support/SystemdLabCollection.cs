namespace NetbootPi.KernelLab.Tests.Support;

/// <summary>The test classes that share one systemd-mode lab VM (<see cref="SystemdLabFixture"/>): one boot for all.</summary>
[CollectionDefinition(Name)]
public sealed class SystemdLabCollection : ICollectionFixture<SystemdLabFixture>
{
    public const string Name = "systemd kernel lab";
}

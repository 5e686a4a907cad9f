using NetbootPi.Agent.Kvm;

namespace NetbootPi.Agent.Tests.Kvm;

/// <summary>Image names for the virtual drive resolve inside DATA_DIR/images only, and what is refused says why.</summary>
public sealed class MediaImagesTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("netbootpi-media-").FullName;

    public MediaImagesTests()
    {
        Directory.CreateDirectory(Path.Combine(_data, "images"));
        File.WriteAllBytes(Path.Combine(_data, "images", "debian.iso"), new byte[4096]);
        File.WriteAllBytes(Path.Combine(_data, "secret"), new byte[512]);
        File.CreateSymbolicLink(Path.Combine(_data, "images", "link.img"), Path.Combine(_data, "secret"));
    }

    [Fact]
    public void A_file_of_the_catalog_by_its_name()
    {
        Assert.True(MediaImages.TryResolve(_data, "debian.iso", out var path, out _));
        Assert.Equal(Path.Combine(_data, "images", "debian.iso"), path);
    }

    [Theory]
    [InlineData("../secret", "'../secret' is not an image name: give the file name of an image in {0} (no '/', not starting with '.')")]
    [InlineData("..", "'..' is not an image name: give the file name of an image in {0} (no '/', not starting with '.')")]
    [InlineData("/etc/shadow", "'/etc/shadow' is not an image name: give the file name of an image in {0} (no '/', not starting with '.')")]
    [InlineData(".partial", "'.partial' is not an image name: give the file name of an image in {0} (no '/', not starting with '.')")]
    [InlineData("", "the image name is empty or longer than 255 characters")]
    [InlineData("ubuntu.iso", "no image ubuntu.iso in {0} (it has debian.iso, link.img)")]
    [InlineData("link.img", "{0}/link.img is a symbolic link; the drive is given files in {0} only, not what a link points to")]
    public void Anything_else_is_refused_with_why(string name, string why)
    {
        Assert.False(MediaImages.TryResolve(_data, name, out _, out var error));
        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, why, Path.Combine(_data, "images")), error);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}

using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Smoke;

/// <summary>
/// Kernel nfsd through nfs-server.service, exporting an ext4 file system (the VM's root is an overlay over 9p,
/// which nfsd cannot export; nor, for NFSv4, can a path below it be reached through the pseudo-root).
/// </summary>
[Collection(SystemdLabCollection.Name)]
public class NfsTests(SystemdLabFixture lab)
{
    [Fact]
    public async Task An_export_from_an_ext4_disk_mounts_from_127_0_0_1_over_NFSv4_and_NFSv3()
    {
        var result = await lab.ShellAsync("""
            E=/srv/nbp-export
            cleanup() {
              umount /mnt/nbp-nfs4 2>/dev/null || true; umount /mnt/nbp-nfs3 2>/dev/null || true
              rm -f /etc/exports.d/nbp-lab.exports
              systemctl stop nfs-server.service 2>/dev/null || true
              umount $E 2>/dev/null || true
            }
            trap cleanup EXIT
            mkfs.ext4 -q -F /dev/disk/by-id/virtio-scratch
            mkdir -p $E /mnt/nbp-nfs4 /mnt/nbp-nfs3 /etc/exports.d
            mount /dev/disk/by-id/virtio-scratch $E
            echo from-the-disk > $E/file
            # fsid=0: the export is NFSv4's root.
            echo "$E 127.0.0.1(rw,fsid=0,no_subtree_check,no_root_squash)" > /etc/exports.d/nbp-lab.exports
            systemctl start nfs-server.service
            systemctl is-active nfs-server.service
            mount -t nfs4 -o timeo=50,retrans=2 127.0.0.1:/ /mnt/nbp-nfs4
            findmnt -n -o FSTYPE /mnt/nbp-nfs4
            cat /mnt/nbp-nfs4/file
            echo written-over-nfs > /mnt/nbp-nfs4/back
            sync
            cat $E/back
            mount -t nfs -o vers=3,nolock,timeo=50,retrans=2 127.0.0.1:$E /mnt/nbp-nfs3
            findmnt -n -o FSTYPE,OPTIONS /mnt/nbp-nfs3 | grep -o '^nfs .*vers=3' | cut -d' ' -f1
            cat /mnt/nbp-nfs3/file
            """, TestContext.Current.CancellationToken);

        result.EnsureSuccess();
        Assert.Equal("active\nnfs4\nfrom-the-disk\nwritten-over-nfs\nnfs\nfrom-the-disk\n", result.Stdout);
    }
}

namespace NetbootPi.Agent.Tests.Render.Nfs;

/// <summary>Sites with NFS roots for the exports renderer, the applier and the lab.</summary>
internal static class NfsSites
{
    /// <summary>
    /// Every way a machine comes to an NFS root: per-host by MAC and by name, a menu offering one, a shared
    /// read-only root as the default, a host without an address (line 16), two networks that boot and one that does not.
    /// </summary>
    public const string Fleet = """
        site: { name: fleet }
        networks:
          lan:  { interface: eth0, address: 10.69.0.1/16, dhcp: { mode: authoritative, range: 10.69.10.1-10.69.20.254 } }
          lab:  { interface: eth1, address: 10.70.0.1/24, dhcp: { mode: proxy } }
          mgmt: { role: management, interface: eth2, address: 192.168.69.1/24 }
        profiles:
          own:    { kernel: debian/vmlinuz, initrd: debian/initrd.img, nfsroot: "/srv/nfsroots/{mac}" }
          named:  { kernel: debian/vmlinuz, initrd: debian/initrd.img, nfsroot: "/srv/nfsroots/{name}" }
          kiosk:  { kernel: debian/vmlinuz, initrd: debian/initrd.img, nfsroot: /srv/nfsroots/kiosk, nfsroot_mode: shared-ro }
          choose: { menu: [own, kiosk] }
          disk:   { local: true }
        defaults: { profile: kiosk }
        hosts:
          nuc1:  { mac: 84:8f:69:e0:d4:0f, ip: 10.69.1.1, profile: own }
          nuc2:  { mac: 84:8f:69:e0:d4:10, ip: 10.69.1.2, profile: own }
          nuc3:  { mac: 84:8f:69:e0:d4:11, profile: own }
          build: { mac: 0c:9d:92:85:72:5b, ip: 10.70.0.5, profile: named }
          both:  { mac: 00:26:b9:50:af:4f, ip: 10.69.1.9, profile: choose }
          desk:  { mac: 40:a8:f0:30:3a:d4, ip: 10.69.1.10, profile: disk }
        """;
}

namespace NetbootPi.Agent.Render.Install;

// debian-installer's preseed: debconf answers, one "owner question type value" per line (Debian's installation
// guide, appendix B). Values end at the line's end, so nothing here may hold a line break: every value comes from
// the site reader's checked names, paths and keys.
public static partial class InstallFiles
{
    private static string Preseed(Context c)
    {
        var w = new LineWriter();
        var i = c.Install;
        w.Line(c.Header("#"));
        w.Line("d-i debian-installer/locale string en_US.UTF-8");
        w.Line("d-i keyboard-configuration/xkb-keymap select us");
        // The network came up by DHCP before this file could be fetched (the box's lease holds the host's own
        // address); the installed system keeps that configuration.
        w.Line("d-i netcfg/choose_interface select auto");
        w.Line($"d-i netcfg/get_hostname string {c.Host.Name}");
        w.Line($"d-i netcfg/get_domain string {c.Site.Site.Domain ?? ""}");
        w.Line($"d-i netcfg/hostname string {c.Host.Name}");
        w.Line("d-i mirror/country string manual");
        w.Line("d-i mirror/http/hostname string deb.debian.org");
        w.Line("d-i mirror/http/directory string /debian");
        w.Line("d-i mirror/http/proxy string");
        w.Line("d-i clock-setup/utc boolean true");
        w.Line($"d-i time/zone string {i.TimeZone}");
        w.Line("d-i clock-setup/ntp boolean true");
        w.Line("d-i passwd/root-login boolean false");
        w.Line($"d-i passwd/user-fullname string {i.User}");
        w.Line($"d-i passwd/username string {i.User}");
        // "!" is no hash any password matches: the account logs in by SSH key only.
        w.Line($"d-i passwd/user-password-crypted password {i.PasswordHash ?? "!"}");
        w.Line($"d-i partman-auto/disk string {i.Disk}");
        w.Line("d-i partman-auto/method string regular");
        w.Line("d-i partman-auto/choose_recipe select atomic");
        w.Line("d-i partman-partitioning/confirm_write_new_label boolean true");
        w.Line("d-i partman/choose_partition select finish");
        w.Line("d-i partman/confirm boolean true");
        w.Line("d-i partman/confirm_nooverwrite boolean true");
        w.Line($"d-i grub-installer/bootdev string {i.Disk}");
        w.Line("tasksel tasksel/first multiselect standard, ssh-server");
        w.Line($"d-i pkgsel/include string {string.Join(' ', ["openssh-server", "wget", .. i.Packages])}");
        w.Line("d-i pkgsel/upgrade select none");
        w.Line("popularity-contest popularity-contest/participate boolean false");
        // The keys and the call that ends the install, run in the new system as its last step (busybox's wget in
        // the installer has no POST: the callback takes GET).
        var home = $"/home/{i.User}/.ssh";
        var keys = string.Join(' ', c.Site.Site.SshKeys.Select(ShellQuote));
        var write = c.Site.Site.SshKeys.IsEmpty ? "true"
            : $"mkdir -p {home} && printf '%s\\n' {keys} > {home}/authorized_keys && chmod 700 {home} && chmod 600 {home}/authorized_keys && chown -R {i.User}: {home}";
        w.Line($"d-i preseed/late_command string in-target sh -c {ShellQuote(write)}; wget -q -O /dev/null {ShellQuote(c.Urls.Done)}");
        w.Line("d-i finish-install/reboot_in_progress note");
        AppendTemplate(w, c.Template);
        return w.ToString();
    }
}

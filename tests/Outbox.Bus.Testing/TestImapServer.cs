using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace Outbox.Bus.Testing;

// A real IMAP server for tests: Dovecot (the Debian package dovecot-imapd, which the test command installs) started as
// a child process with its own configuration in a fresh temporary directory, on a free loopback port, with one user
// whose INBOX is a Maildir. Nothing system-wide is touched: no system dovecot is started or reconfigured.
//
//   await using var imap = await TestImapServer.StartAsync();
//   ... connect an account with imap_host = imap.Host, imap_port = imap.Port, imap_username = imap.User, imap_password = imap.Password ...
//   await imap.DeliverAsync(reply);          // the message appears in the user's INBOX
//
// Dovecot refuses to run its login processes or mail processes as root. When the tests run as root, logins run as the
// package's dovenull user and mail as its dovecot user, and the Maildir is made writable for them; otherwise everything
// runs as the current user.
public sealed class TestImapServer : IAsyncDisposable
{
    public const string DefaultUser = "reader@example.com";
    public const string DefaultPassword = "imap-password-0123456789";

    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    static readonly string[] SearchPath = ["/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin", "/usr/local/bin"];

    readonly string _directory;
    Process? _process;
    bool _disposed;

    TestImapServer(string directory, string user, string password, bool idle)
    {
        _directory = directory;
        User = user;
        Password = password;
        Idle = idle;
    }

    public string Host => "127.0.0.1";
    public int Port { get; private set; }
    public string User { get; }
    public string Password { get; }

    // Whether the server offers IDLE; without it, clients must poll.
    public bool Idle { get; }

    // The user's INBOX on disk (Maildir: new/, cur/, tmp/).
    public string Maildir => Path.Combine(_directory, "home", "Maildir");

    // Dovecot's own log, for a test that fails to say why.
    public string Log
    {
        get
        {
            try
            {
                return File.ReadAllText(LogPath);
            }
            catch (IOException)
            {
                return "";
            }
        }
    }

    string LogPath => Path.Combine(_directory, "dovecot.log");

    // idle: false leaves IDLE out of the advertised capabilities, so a client has to fall back to polling.
    public static async Task<TestImapServer> StartAsync(string user = DefaultUser, string password = DefaultPassword, bool idle = true)
    {
        if (user.Contains(':') || password.Contains(':') || user.Any(char.IsWhiteSpace) || password.Any(char.IsWhiteSpace))
            throw new ArgumentException("The user and password must not contain ':' or white space (passwd-file format).");
        var binary = FindDovecot() ?? throw new InvalidOperationException(
            "dovecot is not installed. Run the README test command (it installs dovecot-imapd), or apt-get install dovecot-imapd.");

        // Short: Dovecot's sockets live under it, and a Unix socket path has at most 107 characters.
        var directory = Path.Combine(Path.GetTempPath(), "obimap-" + Guid.NewGuid().ToString("n")[..12]);
        var server = new TestImapServer(directory, user, password, idle);
        try
        {
            server.Prepare();
            // A port chosen up front can be taken by someone else before Dovecot binds it: try a few.
            for (var attempt = 1; ; attempt++)
            {
                server.Port = FreeTcpPort.Next();
                if (await server.TryStartAsync(binary) || attempt == 3)
                    break;
            }
            if (server._process is null)
                throw new InvalidOperationException($"Dovecot did not start. Its log:\n{server.Log}");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    // Drops a message into the user's INBOX the way a delivery agent does (written to tmp/, renamed into new/); Dovecot
    // sees it at the next command, and at once for a client in IDLE. Returns the file name.
    public async Task<string> DeliverAsync(MimeMessage message)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var name = string.Create(CultureInfo.InvariantCulture,
            $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Guid.NewGuid():n}.outbox-test");
        var temporary = Path.Combine(Maildir, "tmp", name);
        await message.WriteToAsync(temporary).ConfigureAwait(false);
        if (Environment.IsPrivilegedProcess)
            OpenTo(temporary, Everyone);
        File.Move(temporary, Path.Combine(Maildir, "new", name));
        return name;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (_process is { } process)
        {
            try
            {
                if (!process.HasExited)
                {
                    // Only this server's master and the processes it forked.
                    process.Kill(entireProcessTree: true);
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                }
            }
            catch (Exception exception) when (exception is InvalidOperationException or OperationCanceledException)
            {
                // Already gone, or slow to go: its directory is removed anyway.
            }
            process.Dispose();
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A file still being closed; the temporary directory is cleaned up by the OS eventually.
        }
    }

    const UnixFileMode Everyone =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    const UnixFileMode EveryoneDirectory = Everyone | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    void Prepare()
    {
        Directory.CreateDirectory(_directory);
        var root = Environment.IsPrivilegedProcess;
        // Mail processes run as another user when we are root: the Maildir must be theirs to write.
        foreach (var path in new[] { Path.Combine(_directory, "home"), Maildir, Path.Combine(Maildir, "cur"), Path.Combine(Maildir, "new"), Path.Combine(Maildir, "tmp") })
        {
            Directory.CreateDirectory(path);
            if (root)
                OpenTo(path, EveryoneDirectory);
        }

        File.WriteAllText(Path.Combine(_directory, "passwd"), $"{User}:{{PLAIN}}{Password}::::::\n");
    }

    // The port is part of it, so it is written for each start attempt.
    string Config()
    {
        var root = Environment.IsPrivilegedProcess;
        var currentUser = Environment.UserName;
        var loginUser = root ? "dovenull" : currentUser;
        var internalUser = root ? "dovecot" : currentUser;
        var internalGroup = root ? "dovecot" : CurrentGroup();

        var config = new StringBuilder();
        config.AppendLine(CultureInfo.InvariantCulture, $$"""
            # Written by Outbox.Bus.Testing.TestImapServer for one test; nothing else reads it.
            protocols = imap
            listen = 127.0.0.1
            base_dir = {{_directory}}/run
            state_dir = {{_directory}}/state
            instance_name = outbox-test-{{Path.GetFileName(_directory)}}
            log_path = {{LogPath}}
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            default_login_user = {{loginUser}}
            default_internal_user = {{internalUser}}
            default_internal_group = {{internalGroup}}
            first_valid_uid = 1
            first_valid_gid = 1
            mail_location = maildir:~/Maildir
            mail_fsync = never
            mailbox_idle_check_interval = 1 secs
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u {{_directory}}/passwd
            }
            userdb {
              driver = static
              args = uid={{internalUser}} gid={{internalGroup}} home={{_directory}}/home
            }
            protocol imap {
              mail_max_userip_connections = 100
            }
            service imap-login {
              inet_listener imap {
                address = 127.0.0.1
                port = {{Port}}
              }
              inet_listener imaps {
                port = 0
              }
              chroot =
            }
            service anvil {
              chroot =
            }
            """);
        if (!Idle)
            config.AppendLine("imap_capability = IMAP4rev1 SASL-IR LITERAL+ ENABLE UIDPLUS");
        return config.ToString();
    }

    async Task<bool> TryStartAsync(string binary)
    {
        var configPath = Path.Combine(_directory, "dovecot.conf");
        await File.WriteAllTextAsync(configPath, Config()).ConfigureAwait(false);

        var process = Process.Start(new ProcessStartInfo(binary)
        {
            ArgumentList = { "-F", "-c", configPath },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("Could not start dovecot");
        // Dovecot writes to its log file; drain the pipes so it can never block on them.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var started = Stopwatch.StartNew();
        while (started.Elapsed < StartTimeout)
        {
            if (process.HasExited)
                break;
            if (await CanLogInAsync().ConfigureAwait(false))
            {
                _process = process;
                return true;
            }
            await Task.Delay(100).ConfigureAwait(false);
        }

        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync().ConfigureAwait(false);
        process.Dispose();
        return false;
    }

    // Ready means a real login succeeds: the listener is up and so is the authentication process behind it.
    async Task<bool> CanLogInAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token).ConfigureAwait(false);
            await using var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync($"a LOGIN \"{User}\" \"{Password}\"").ConfigureAwait(false);
            while (await reader.ReadLineAsync(timeout.Token).ConfigureAwait(false) is { } line)
            {
                if (line.StartsWith("a ", StringComparison.Ordinal))
                {
                    await writer.WriteLineAsync("b LOGOUT").ConfigureAwait(false);
                    return line.StartsWith("a OK", StringComparison.Ordinal);
                }
            }
            return false;
        }
        catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    static void OpenTo(string path, UnixFileMode mode)
    {
        // Dovecot is a Unix server: there is nothing to do (and no such modes) elsewhere.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, mode);
    }

    static string? FindDovecot() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Concat(SearchPath)
        .Select(directory => Path.Combine(directory, "dovecot"))
        .FirstOrDefault(File.Exists);

    // The current user's primary group name, for Dovecot's internal processes when it runs unprivileged.
    static string CurrentGroup()
    {
        using var id = Process.Start(new ProcessStartInfo("id", "-gn") { RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not run id -gn");
        var name = id.StandardOutput.ReadToEnd().Trim();
        id.WaitForExit();
        return name;
    }
}

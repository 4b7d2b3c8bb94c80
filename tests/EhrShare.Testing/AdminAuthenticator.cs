using System.Diagnostics;
using OtpNet;

namespace EhrShare.Testing;

/// <summary>
/// The seeded admin's authenticator app, for tests. Two-factor sign-in is required for the EHR manager, so the first
/// test (of any test process) that signs the admin in is sent to the set-up page, reads the key from it, confirms it
/// with a computed code, and keeps the key in <c>secrets/admin-authenticator-key</c> beside the admin's password.
/// Every later admin sign-in computes the current code from that key, as the phone app would. A lock file makes the
/// set-up happen once even when the web and end-to-end test processes start at the same moment.
/// </summary>
public static class AdminAuthenticator
{
    private static readonly SemaphoreSlim InProcess = new(1, 1);

    public static string KeyFile => Path.Combine(TestStack.StackDir, "secrets", "admin-authenticator-key");

    private static string LockFile => Path.Combine(TestStack.StackDir, "secrets", "admin-authenticator.lock");

    /// <summary>The admin's key, or null before any test has set it up.</summary>
    public static string? TryReadKey() =>
        File.Exists(KeyFile) && File.ReadAllText(KeyFile).Trim() is { Length: > 0 } key ? key : null;

    /// <summary>
    /// The admin's key: read from the file, or, when no test has set it up yet, made by <paramref name="setUp"/>
    /// (which signs the admin in with the password, does the set-up on the pages and returns the key it read there)
    /// while every other test that wants it waits. <c>SetUpHere</c> says whether <paramref name="setUp"/> ran, i.e.
    /// whether the caller is signed in already.
    /// </summary>
    public static async Task<(string Key, bool SetUpHere)> KeyOrSetUpAsync(Func<Task<string>> setUp)
    {
        if (TryReadKey() is { } known)
        {
            return (known, false);
        }

        await InProcess.WaitAsync();
        try
        {
            await using var crossProcess = await LockAsync();
            if (TryReadKey() is { } madeMeanwhile)
            {
                return (madeMeanwhile, false);
            }

            var key = await setUp();
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using (var file = new FileStream(KeyFile + ".new", options))
            await using (var writer = new StreamWriter(file))
            {
                await writer.WriteLineAsync(key.Replace(" ", "", StringComparison.Ordinal));
            }

            File.Move(KeyFile + ".new", KeyFile, overwrite: true);
            return (key, true);
        }
        finally
        {
            InProcess.Release();
        }
    }

    /// <summary>The message for a stack whose admin has two-factor sign-in on but whose key file is gone.</summary>
    public static string MissingKeyAdvice =>
        $"The seeded admin asks for a two-factor code, but {KeyFile} (written by the test that set it up) is missing: " +
        "start a fresh test stack (./ehr test without EHR_TEST_REUSE, or ./ehr stack down test and remove .data/test).";

    private static async Task<FileStream> LockAsync()
    {
        // Held by another test process while it sets the admin up: wait for it, as long as a set-up on a busy machine may take.
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // Not deleted on close: a process that opened the old file just before its deletion could lock it alongside a new one.
                return new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (watch.Elapsed < TimeSpan.FromMinutes(3))
            {
                await Task.Delay(100);
            }
        }
    }
}

/// <summary>What a phone's authenticator app does with a key (RFC 6238: 6 digits, 30-second steps, HMAC-SHA1).</summary>
public static class Authenticator
{
    /// <summary>The code the app shows at <paramref name="at"/> (now) for <paramref name="key"/> (base32, spaces ignored).</summary>
    public static string CodeFor(string key, DateTime? at = null) =>
        new Totp(Base32Encoding.ToBytes(key.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant())).ComputeTotp(at ?? DateTime.UtcNow);
}

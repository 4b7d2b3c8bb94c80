using EhrShare.Core.Access;
using EhrShare.Core.Chain;
using EhrShare.Infrastructure.Chain;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Ethereum.Transactions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EhrShare.Infrastructure.Tests.Outbox;

/// <summary>
/// The access-log outbox end to end: entries saved in a real (throw-away) app database reach a real chain from the
/// reader's own account, through chain outages, dispatcher restarts, dropped transactions and a second app instance,
/// and each entry is logged exactly once (events counted per entry on the chain).
/// </summary>
public sealed class AccessLogOutboxTests(OutboxStack stack) : IClassFixture<OutboxStack>
{
    /// <summary>A patient with records, and doctors the patient has granted access.</summary>
    private static async Task<(Actor Patient, List<Actor> Doctors, List<Guid> Records)> PatientWithGrantsAsync(IHost host, int doctors, int records)
    {
        var patient = await OutboxStack.NewUserAsync(host, LedgerRole.Patient);
        var team = new List<Actor>();
        for (var i = 0; i < doctors; i++)
        {
            team.Add(await OutboxStack.NewUserAsync(host, LedgerRole.Doctor));
        }

        await using var scope = host.Services.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<IAccessLedger>();
        var ids = new List<Guid>();
        for (var i = 0; i < records; i++)
        {
            var id = Guid.CreateVersion7();
            await ledger.AddRecordAsync(patient.Account, id, Ethereum.ChainFixture.Sha256Of("block " + id), default);
            ids.Add(id);
        }

        foreach (var doctor in team)
        {
            await ledger.GrantAccessAsync(patient.Account, doctor.Address, DateTimeOffset.UtcNow.AddDays(30), default);
        }

        return (patient, team, ids);
    }

    private async Task AssertEachLoggedOnceAsync(Actor patient, IReadOnlyList<AccessLogEntry> entries)
    {
        var events = await stack.AccessEventsAsync(patient.Address);
        foreach (var entry in entries)
        {
            Assert.True(OutboxStack.CountFor(events, entry) == 1, $"entry #{entry.Id} ({entry.Actor}, record {entry.RecordId}) is on the chain {OutboxStack.CountFor(events, entry)} times");
        }

        Assert.Equal(entries.Count, events.Count);
    }

    [Fact]
    public async Task FiftyEntriesFromFiveDoctors_GoOutAtOnceOnTheSignal_OneBatchPerDoctor_AllConfirmed_EachLoggedOnce()
    {
        var db = await stack.NewDatabaseAsync();
        // Polling once a minute: only the save's signal can get these out within the test's time.
        using var logs = new CapturedLogs();
        using var host = await stack.StartHostAsync(db, new() { ["Outbox:PollInterval"] = "00:01:00" }, logs);
        var (patient, doctors, records) = await PatientWithGrantsAsync(host, doctors: 5, records: 10);

        var ids = await OutboxStack.WriteAsync(host, [.. doctors.SelectMany(d => records.Select(r => OutboxStack.DoctorRead(d, patient, r)))]);
        var entries = await OutboxStack.WaitConfirmedAsync(db, ids, seconds: 45, logs);

        Assert.Equal(50, entries.Count);
        Assert.All(entries, e =>
        {
            Assert.True(e.ChainAllowed);
            Assert.NotNull(e.BlockNumber);
            Assert.NotNull(e.ConfirmedAt);
            Assert.Null(e.LastError);
            Assert.Equal(1, e.Attempts);
            Assert.Matches("^0x[0-9a-f]{64}$", e.TransactionHash);
        });
        // Saved together, the entries are due together: each doctor's ten go in one logAccessBatch from the doctor's account.
        var batches = entries.GroupBy(e => e.TransactionHash).ToList();
        Assert.Equal(5, batches.Count);
        Assert.All(batches, b => Assert.Equal(10, b.Count()));
        Assert.All(batches, b => Assert.Single(b.Select(e => e.ActorAccount).Distinct()));
        var (http, sender) = stack.Client(new NonceManager());
        using (http)
        {
            foreach (var batch in batches)
            {
                Assert.Equal(batch.First().ActorAccount, (await sender.Rpc.EthGetTransactionReceiptAsync(batch.Key!))!.From.ToString());
            }
        }

        await AssertEachLoggedOnceAsync(patient, entries);
        await host.StopAsync();
    }

    [Fact]
    public async Task SentBatches_OneMinedOneReverted_AreTakenUpAfterARestart_TheMinedConfirmedFromItsReceipt_TheRevertedSentAgain_EachLoggedOnce()
    {
        var db = await stack.NewDatabaseAsync();
        List<long> landed, reverted;
        string landedHash, revertedHash;
        Actor patient;
        using (var setup = await stack.StartHostAsync(db, new() { ["Outbox:Enabled"] = "false" }))
        {
            var (p, doctors, records) = await PatientWithGrantsAsync(setup, doctors: 2, records: 4);
            patient = p;
            var contract = setup.Services.GetRequiredService<EhrAccessContract>();
            var signer = setup.Services.GetRequiredService<AccountSigner>();

            // A dispatcher sent two batches and recorded them, then died before their receipts. The first was mined; the
            // second ran out of gas and reverted, so it logged nothing.
            async Task<(List<long> Ids, string Hash)> SentBatchAsync(Actor doctor, ulong? gasLimit)
            {
                var entries = records.Select(r => OutboxStack.DoctorRead(doctor, patient, r)).ToList();
                var key = signer.Unprotect(doctor.Account);
                var request = contract.CreateTransaction("logAccessBatch", EhrAccessContract.LogAccessBatchArguments(
                    [.. entries.Select(e => new LoggedAttempt(EthAddress.Parse(patient.Address), e.RecordId, e.AttemptedAt, null))]));
                request = gasLimit is { } limit ? request with { GasLimit = limit } : await contract.Sender.WithGasLimitAsync(key.Address, request);
                var sent = await contract.Sender.SendAsync(key, request);
                foreach (var e in entries)
                {
                    e.State = OutboxState.Sent;
                    e.TransactionHash = sent.Hash;
                    e.TransactionNonce = (long)sent.Nonce;
                    e.SignedTransaction = e == entries[0] ? sent.Raw : null;
                    e.Attempts = 1;
                    e.NextAttemptAt = DateTimeOffset.UtcNow.AddHours(1); // not due: only the start-up sweep looks at them now
                }

                var ids = await OutboxStack.WriteAsync(setup, [.. entries]);
                if (gasLimit is null)
                {
                    Assert.True((await contract.Sender.WaitForReceiptAsync(sent)).Succeeded);
                }
                else
                {
                    await Assert.ThrowsAnyAsync<ChainException>(() => contract.Sender.WaitForReceiptAsync(sent));
                }
                return (ids, sent.Hash);
            }

            (landed, landedHash) = await SentBatchAsync(doctors[0], gasLimit: null);
            (reverted, revertedHash) = await SentBatchAsync(doctors[1], gasLimit: 40_000);
            await setup.StopAsync();
        }

        using var host = await stack.StartHostAsync(db);
        var all = await OutboxStack.WaitConfirmedAsync(db, [.. landed, .. reverted], seconds: 30);

        Assert.All(all.Where(e => landed.Contains(e.Id)), e => Assert.Equal((landedHash, 1), (e.TransactionHash, e.Attempts)));
        var again = all.Where(e => reverted.Contains(e.Id)).ToList();
        Assert.All(again, e => Assert.NotEqual(revertedHash, e.TransactionHash));
        Assert.Single(again.Select(e => e.TransactionHash).Distinct());
        Assert.All(all, e => Assert.True(e.ChainAllowed));
        Assert.All(all, e => Assert.Null(e.SignedTransaction));
        await AssertEachLoggedOnceAsync(patient, all);
        await host.StopAsync();
    }

    [Fact]
    public async Task CoreSignal_IsTheDispatchersSignal_AnEntryWrittenWithoutTheInterceptorGoesOutOnNotify()
    {
        var db = await stack.NewDatabaseAsync();
        using var host = await stack.StartHostAsync(db, new() { ["Outbox:PollInterval"] = "00:01:00" });
        var (patient, doctors, records) = await PatientWithGrantsAsync(host, doctors: 1, records: 1);
        Assert.Same(host.Services.GetRequiredService<Infrastructure.Outbox.AccessLogSignal>(), host.Services.GetRequiredService<IAccessLogSignal>());

        // Written past EF Core (as another tool might): only Notify can wake the dispatcher before its next poll.
        var entry = OutboxStack.DoctorRead(doctors[0], patient, records[0]);
        await using (var connection = new MySqlConnector.MySqlConnection(OutboxStack.ConnectionString(db)))
        {
            await connection.OpenAsync();
            await using var insert = new MySqlConnector.MySqlCommand(
                "INSERT INTO AccessLog (RecordId, PatientAccount, ActorUserId, ActorAccount, Actor, DecidedAllowed, AttemptedAt, State, Attempts, NextAttemptAt) " +
                "VALUES (@r, @p, @u, @a, 'Doctor', 1, UTC_TIMESTAMP(6), 'Pending', 0, UTC_TIMESTAMP(6)); SELECT LAST_INSERT_ID();", connection);
            insert.Parameters.AddWithValue("@r", entry.RecordId.ToString());
            insert.Parameters.AddWithValue("@p", entry.PatientAccount);
            insert.Parameters.AddWithValue("@u", entry.ActorUserId);
            insert.Parameters.AddWithValue("@a", entry.ActorAccount);
            entry.Id = Convert.ToInt64(await insert.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }

        host.Services.GetRequiredService<IAccessLogSignal>().Notify();

        var confirmed = (await OutboxStack.WaitConfirmedAsync(db, [entry.Id], seconds: 20)).Single();
        Assert.True(confirmed.ChainAllowed);
        await host.StopAsync();
    }

    [Fact]
    public async Task EntrySavedInATransaction_GoesOutOnItsCommit()
    {
        var db = await stack.NewDatabaseAsync();
        using var host = await stack.StartHostAsync(db, new() { ["Outbox:PollInterval"] = "00:01:00" });
        var (patient, doctors, records) = await PatientWithGrantsAsync(host, doctors: 1, records: 1);

        long id;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<Core.Data.IEhrDbContext>();
            await using var transaction = await context.Database.BeginTransactionAsync();
            var entry = OutboxStack.DoctorRead(doctors[0], patient, records[0]);
            context.AccessLog.Add(entry);
            await context.SaveChangesAsync();
            id = entry.Id;
            // Woken now, the dispatcher would find nothing (the row is not committed) and sleep for a minute.
            await Task.Delay(500);
            await transaction.CommitAsync();
        }

        var confirmed = (await OutboxStack.WaitConfirmedAsync(db, [id], seconds: 20)).Single();
        Assert.True(confirmed.ChainAllowed);
        await host.StopAsync();
    }

    [Fact]
    public async Task EntriesWrittenWhileTheChainIsDown_ReachItWhenItReturns_AcrossADispatcherRestart_NoneLostNoneTwice()
    {
        var db = await stack.NewDatabaseAsync();
        var hostA = await stack.StartHostAsync(db);
        var (patient, doctors, r) = await PatientWithGrantsAsync(hostA, doctors: 2, records: 6);
        var (d1, d2) = (doctors[0], doctors[1]);
        var warmUp = await OutboxStack.WriteAsync(hostA,
            OutboxStack.DoctorRead(d1, patient, r[5]), OutboxStack.DoctorRead(d2, patient, r[5]), OutboxStack.OwnRead(patient, r[5]));
        await OutboxStack.WaitConfirmedAsync(db, warmUp);

        var state = await stack.StopChainAsync();
        var whileDown = await OutboxStack.WriteAsync(hostA,
            OutboxStack.DoctorRead(d1, patient, r[0]), OutboxStack.DoctorRead(d1, patient, r[1]), OutboxStack.DoctorRead(d1, patient, r[2]),
            OutboxStack.DoctorRead(d1, patient, null), OutboxStack.DoctorRead(d2, patient, r[0]), OutboxStack.DoctorRead(d2, patient, r[1]),
            OutboxStack.DoctorRead(d2, patient, r[2]), OutboxStack.OwnRead(patient, r[0]), OutboxStack.OwnRead(patient, r[1]),
            OutboxStack.OwnRead(patient, null));
        var failed = await OutboxStack.WaitForAsync(db, whileDown, e => e.State == OutboxState.Pending && e.Attempts >= 1 && e.LastError is not null,
            TimeSpan.FromSeconds(30), "every entry tried against the stopped chain");
        Assert.All(failed, e => Assert.Contains("not reachable", e.LastError, StringComparison.Ordinal));

        // The dispatcher goes down too; a new one (a restarted app) finds everything in the database.
        await hostA.StopAsync();
        hostA.Dispose();
        using var hostB = await stack.StartHostAsync(db);
        var afterRestart = await OutboxStack.WriteAsync(hostB, OutboxStack.DoctorRead(d1, patient, r[3]), OutboxStack.OwnRead(patient, r[3]));
        await OutboxStack.WaitForAsync(db, afterRestart, e => e.Attempts >= 1, TimeSpan.FromSeconds(30), "the new entries tried too");

        await stack.StartChainAsync(state);
        var all = await OutboxStack.WaitConfirmedAsync(db, [.. warmUp, .. whileDown, .. afterRestart]);

        Assert.All(all, e => Assert.True(e.ChainAllowed));
        Assert.All(all, e => Assert.Null(e.LastError));
        await AssertEachLoggedOnceAsync(patient, all);
        await hostB.StopAsync();
    }

    [Fact]
    public async Task SentEntryWhoseTransactionLanded_IsConfirmedFromItsReceipt_WithoutSendingAgain()
    {
        var db = await stack.NewDatabaseAsync();
        long id;
        RpcReceipt landed;
        Actor patient, doctor;
        Guid record;
        using (var setup = await stack.StartHostAsync(db, new() { ["Outbox:Enabled"] = "false" }))
        {
            var (p, doctors, records) = await PatientWithGrantsAsync(setup, doctors: 1, records: 1);
            (patient, doctor, record) = (p, doctors[0], records[0]);

            // A dispatcher sent this one and recorded its hash, then died before the receipt: the entry says Sent.
            var contract = setup.Services.GetRequiredService<EhrAccessContract>();
            var key = setup.Services.GetRequiredService<AccountSigner>().Unprotect(doctor.Account);
            landed = await contract.SendAsync(key, "logAccess", EhrAccessContract.LogAccessArguments(EthAddress.Parse(patient.Address), record, null, null));
            var entry = OutboxStack.DoctorRead(doctor, patient, record);
            entry.State = OutboxState.Sent;
            entry.TransactionHash = landed.TransactionHash;
            entry.Attempts = 1;
            entry.NextAttemptAt = DateTimeOffset.UtcNow.AddHours(1); // not due: only the start-up sweep looks at it now
            id = (await OutboxStack.WriteAsync(setup, entry))[0];
            await setup.StopAsync();
        }

        var (http, sender) = stack.Client(new NonceManager());
        using (http)
        {
            var nonceBefore = await sender.Rpc.EthGetTransactionCountAsync(EthAddress.Parse(doctor.Address), BlockParameter.Latest);
            using var host = await stack.StartHostAsync(db);
            var confirmed = (await OutboxStack.WaitConfirmedAsync(db, [id], seconds: 20)).Single();

            Assert.Equal(landed.TransactionHash, confirmed.TransactionHash);
            Assert.Equal((long)landed.BlockNumber, confirmed.BlockNumber);
            Assert.True(confirmed.ChainAllowed);
            Assert.Equal(1, confirmed.Attempts);
            Assert.Equal(nonceBefore, await sender.Rpc.EthGetTransactionCountAsync(EthAddress.Parse(doctor.Address), BlockParameter.Latest));
            await AssertEachLoggedOnceAsync(patient, [confirmed]);
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task SentEntryWhoseTransactionTheNodeLost_IsHandedToItAgain_AndLoggedOnce()
    {
        var db = await stack.NewDatabaseAsync();
        using var logs = new CapturedLogs();
        using var host = await stack.StartHostAsync(db, logs: logs);
        var (patient, doctors, records) = await PatientWithGrantsAsync(host, doctors: 1, records: 2);
        var doctor = doctors[0];
        var (http, sender) = stack.Client(new NonceManager());
        using var _ = http;

        // The node stops mining: the log transaction waits in its pool...
        await sender.Rpc.RequestAsync("evm_setAutomine", w => w.WriteBooleanValue(false), _ => 0);
        long id;
        AccessLogEntry sent;
        try
        {
            id = (await OutboxStack.WriteAsync(host, OutboxStack.DoctorRead(doctor, patient, records[0])))[0];
            sent = (await OutboxStack.WaitForAsync(db, [id], e => e.State == OutboxState.Sent && e.TransactionHash is not null, TimeSpan.FromSeconds(20), "the entry sent")).Single();

            // The entry is marked Sent (with its hash) before the node is given the transaction: wait until the node has it.
            var pending = await TransactionSeenByTheNodeAsync(sender, sent.TransactionHash!, TimeSpan.FromSeconds(20));
            Assert.Null(pending.BlockNumber);
        }
        catch
        {
            // The node is shared by this class's tests: do not leave it without mining.
            await sender.Rpc.RequestAsync("evm_setAutomine", w => w.WriteBooleanValue(true), _ => 0);
            throw;
        }

        // ...and the node goes down for a while (the dispatcher gives up waiting for the receipt) and comes back with
        // its chain but without its pool: the transaction is gone.
        var state = await stack.StopChainAsync();
        await OutboxStack.WaitForAsync(db, [id], e => e.LastError is not null, TimeSpan.FromSeconds(20), "the wait for the receipt given up");
        await stack.StartChainAsync(state);

        // The node was handed the recorded transaction again, byte for byte (its nonce is still the account's next),
        // by the dispatcher or by the receipt wait that was still running: the same hash. Only if the node refused those
        // bytes (e.g. their fee cap below a base fee that rose meanwhile), or their nonce was no longer the account's
        // next once ResendAfter had passed, was a new transaction sent, and said so. Either way the chain holds the
        // attempt once (checked below).
        var confirmed = (await OutboxStack.WaitConfirmedAsync(db, [id], seconds: 30)).Single();
        if (confirmed.TransactionHash != sent.TransactionHash)
        {
            Assert.Contains(logs.Lines, l =>
                l.Message.Contains($"Access-log entry {id}: the node refused transaction {sent.TransactionHash} again", StringComparison.Ordinal) ||
                l.Message.Contains($"Access-log entry {id}: transaction {sent.TransactionHash} is unknown to the node", StringComparison.Ordinal));
        }

        // The doctor's next entry is not stuck behind the lost transaction's nonce.
        var next = await OutboxStack.WriteAsync(host, OutboxStack.DoctorRead(doctor, patient, records[1]));
        var both = await OutboxStack.WaitConfirmedAsync(db, [id, .. next], seconds: 30);
        await AssertEachLoggedOnceAsync(patient, both);
        await host.StopAsync();
    }

    [Fact]
    public async Task SentEntryWhoseTransactionNeverReachedTheNode_IsHandedTheSameTransactionAtTheFirstScan_NotAfterResendAfter()
    {
        // An instance recorded the transaction (Sent, its hash and bytes) and was killed before handing it to the node.
        var db = await stack.NewDatabaseAsync();
        var (id, signed, patient) = await SentButNeverHandedOverAsync(db, takeTheNonceElsewhere: false);

        // ResendAfter is ten minutes: the entry must not wait for it, and must not become a second transaction.
        using var host = await stack.StartHostAsync(db, new() { ["Outbox:ResendAfter"] = "00:10:00" });
        var confirmed = (await OutboxStack.WaitConfirmedAsync(db, [id], seconds: 20)).Single();

        Assert.Equal(signed.Hash, confirmed.TransactionHash);
        Assert.Null(confirmed.SignedTransaction);
        Assert.Null(confirmed.TransactionNonce);
        await AssertEachLoggedOnceAsync(patient, [confirmed]);
        await host.StopAsync();
    }

    [Fact]
    public async Task SentEntryWhoseNonceAnotherTransactionTook_GetsANewTransactionAtTheFirstScan_NotAfterResendAfter()
    {
        var db = await stack.NewDatabaseAsync();
        var (id, signed, patient) = await SentButNeverHandedOverAsync(db, takeTheNonceElsewhere: true);

        using var host = await stack.StartHostAsync(db, new() { ["Outbox:ResendAfter"] = "00:10:00" });
        var confirmed = (await OutboxStack.WaitConfirmedAsync(db, [id], seconds: 20)).Single();

        // The recorded transaction can never be mined (its nonce is used), so a new one logged the attempt, once.
        Assert.NotEqual(signed.Hash, confirmed.TransactionHash);
        await AssertEachLoggedOnceAsync(patient, [confirmed]);
        await host.StopAsync();
    }

    /// <summary>
    /// A doctor's read recorded as Sent with a signed transaction the node never received; with
    /// <paramref name="takeTheNonceElsewhere"/>, another transaction of the doctor's account has used its nonce since.
    /// </summary>
    private async Task<(long Id, SentTransaction Signed, Actor Patient)> SentButNeverHandedOverAsync(string db, bool takeTheNonceElsewhere)
    {
        using var setup = await stack.StartHostAsync(db, new() { ["Outbox:Enabled"] = "false" });
        var (patient, doctors, records) = await PatientWithGrantsAsync(setup, doctors: 1, records: 1);
        var doctor = doctors[0];
        var contract = setup.Services.GetRequiredService<EhrAccessContract>();
        var key = setup.Services.GetRequiredService<AccountSigner>().Unprotect(doctor.Account);
        var entry = OutboxStack.DoctorRead(doctor, patient, records[0]);
        var request = await contract.Sender.WithGasLimitAsync(key.Address, contract.CreateTransaction(
            "logAccess", EhrAccessContract.LogAccessArguments(EthAddress.Parse(patient.Address), entry.RecordId, entry.AttemptedAt, null)));
        var signed = await contract.Sender.SignAsync(key, request);
        if (takeTheNonceElsewhere)
        {
            contract.Sender.Discard(signed);
            var other = await contract.Sender.TransferAsync(key, key.Address, 1);
            Assert.Equal(signed.Nonce, (await contract.Sender.Rpc.EthGetTransactionByHashAsync(other.TransactionHash))!.Nonce);
        }

        entry.State = OutboxState.Sent;
        entry.TransactionHash = signed.Hash;
        entry.SignedTransaction = signed.Raw;
        entry.TransactionNonce = (long)signed.Nonce;
        entry.Attempts = 1;
        entry.NextAttemptAt = DateTimeOffset.UtcNow.AddMinutes(10); // what SendAsync records: now + ResendAfter
        var id = (await OutboxStack.WriteAsync(setup, entry))[0];
        await setup.StopAsync();
        return (id, signed, patient);
    }

    [Fact]
    public async Task OwnReads_AreLoggedFromThePatientsAccount_AsOwnerAccess_ARemovedRecordAsNotAllowed()
    {
        var db = await stack.NewDatabaseAsync();
        using var host = await stack.StartHostAsync(db);
        var (patient, _, records) = await PatientWithGrantsAsync(host, doctors: 0, records: 2);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IAccessLedger>().RemoveRecordAsync(patient.Account, records[1], default);
        }

        var ids = await OutboxStack.WriteAsync(host,
            OutboxStack.OwnRead(patient, records[0]), OutboxStack.OwnRead(patient, null), OutboxStack.OwnRead(patient, records[1]));
        var entries = await OutboxStack.WaitConfirmedAsync(db, ids, seconds: 20);

        Assert.Equal([true, true, false], entries.Select(e => e.ChainAllowed));
        var events = (await stack.AccessEventsAsync(patient.Address)).Cast<OwnerAccessEvent>().ToList();
        Assert.Equal([true, true, false], entries.Select(e => Assert.Single(events, o => o.RecordId == e.RecordId).Allowed));
        var (http, sender) = stack.Client(new NonceManager());
        using (http)
        {
            foreach (var e in entries)
            {
                Assert.Equal(patient.Address, (await sender.Rpc.EthGetTransactionReceiptAsync(e.TransactionHash!))!.From.ToString());
            }
        }

        await AssertEachLoggedOnceAsync(patient, entries);
        await host.StopAsync();
    }

    [Fact]
    public async Task EntryThatCannotBeSent_WaitsWithAReadableError_WithoutHoldingUpOthers()
    {
        var db = await stack.NewDatabaseAsync();
        using var host = await stack.StartHostAsync(db);
        var (patient, doctors, records) = await PatientWithGrantsAsync(host, doctors: 1, records: 1);
        var stranger = await OutboxStack.NewUserAsync(host, LedgerRole.Doctor);
        var orphan = OutboxStack.DoctorRead(stranger, patient, records[0]);
        orphan.ActorUserId = "no-such-user";

        var bad = (await OutboxStack.WriteAsync(host, orphan))[0];
        var good = (await OutboxStack.WriteAsync(host, OutboxStack.DoctorRead(doctors[0], patient, records[0])))[0];

        await OutboxStack.WaitConfirmedAsync(db, [good], seconds: 20);
        var waiting = (await OutboxStack.WaitForAsync(db, [bad], e => e.Attempts >= 2, TimeSpan.FromSeconds(20), "the bad entry retried")).Single();
        Assert.Equal(OutboxState.Pending, waiting.State);
        Assert.Equal("The reader has no chain account.", waiting.LastError);
        Assert.True(waiting.NextAttemptAt > waiting.AttemptedAt);
        await host.StopAsync();
    }

    [Fact]
    public async Task TwoAppInstances_OnlyOneSends_AndTheOtherTakesOverWhenItStops()
    {
        var db = await stack.NewDatabaseAsync();
        var first = await stack.StartHostAsync(db);
        using var second = await stack.StartHostAsync(db);
        var (patient, doctors, records) = await PatientWithGrantsAsync(first, doctors: 2, records: 5);

        var before = await OutboxStack.WriteAsync(second, [.. doctors.SelectMany(d => records.Select(r => OutboxStack.DoctorRead(d, patient, r)))]);
        await OutboxStack.WaitConfirmedAsync(db, before);
        await first.StopAsync();
        first.Dispose();
        var after = await OutboxStack.WriteAsync(second, [.. records.Select(r => OutboxStack.OwnRead(patient, r))]);
        var all = await OutboxStack.WaitConfirmedAsync(db, [.. before, .. after]);

        Assert.All(all, e => Assert.Equal(1, e.Attempts));
        await AssertEachLoggedOnceAsync(patient, all);
        await second.StopAsync();
    }

    private static async Task<RpcTransaction> TransactionSeenByTheNodeAsync(TransactionSender sender, string hash, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await sender.Rpc.EthGetTransactionByHashAsync(hash) is { } transaction)
            {
                return transaction;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The node did not receive transaction {hash} within {timeout.TotalSeconds} s.");
            await Task.Delay(50);
        }
    }
}

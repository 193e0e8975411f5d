/// What a run did, for the command's last lines and exit status.
public struct RunSummary: Sendable {
    public var done = 0
    /// Jobs found finished by an earlier run.
    public var alreadyDone = 0
    public var failed: [JobFailure] = []
    /// Jobs not run because something they need failed, or the run was interrupted.
    public var notRun = 0
    public var unitsSpent = 0.0
    public var interrupted = false
    public var exported: [String] = []
    /// Why the run stopped starting paid jobs at run time, when the budget was reached.
    public var budgetRefused: BudgetRefusal?
    /// Why the account stopped new creates (1100–1103), in the provider's words.
    public var accountStop: AccountStop?
    /// Why the whole run stopped early (credentials, arrears), in the provider's words.
    public var stopReason: String?
    /// Renders re-rolled by this run.
    public var rerolled: [String] = []
    /// Paid jobs `--locked` did not create: the provider no longer knew their locked task.
    public var lockedRefused: [LockedRefusal] = []
    /// Paid jobs whose submit may or may not have been queued (fal): not sent again.
    public var inDoubt: [InDoubtJob] = []
}

/// A paid job in doubt: what it may have cost, and why.
public struct InDoubtJob: Sendable {
    public var id: String
    /// The name `--retry-in-doubt` takes.
    public var name: String
    public var units: Double
    public var reason: String
}

/// A job that failed in this run, with the error as the job met it (a `RunFailure` for the
/// provider's answers, a media or file error for local steps); the CLI words it.
public struct JobFailure: Sendable {
    public var id: String
    public var error: any Error
}

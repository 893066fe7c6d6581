//! The rule registry: every rule's code and name, in one place below both the
//! diagnostics that carry a rule and the settings that select rules, so that
//! neither has to import the rules themselves. What each rule finds and how
//! it fixes it (its documentation) stays beside the rule, in `crate::rules`.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    AsyncioRunInAsync,
    RunUntilCompleteInAsync,
    RunnerRunInAsync,
    AwaitImpossible,
    InGeneratorExpression,
    RunCalledForCallable,
    BlockingCallInAsync,
    BlockingCallInCallback,
    NestedRunInCallback,
    UnnecessaryNestAsyncio,
    TracebackProvenNestedRun,
    LibraryRunInAsync,
    RunUntilCompleteOnRunningLoop,
    RunCoroutineThreadsafeDeadlock,
    RunAtImportTime,
    RunOnFrameworkLoop,
}

impl Rule {
    pub const ALL: [Rule; 16] = [
        Rule::AsyncioRunInAsync,
        Rule::RunUntilCompleteInAsync,
        Rule::RunnerRunInAsync,
        Rule::AwaitImpossible,
        Rule::InGeneratorExpression,
        Rule::RunCalledForCallable,
        Rule::BlockingCallInAsync,
        Rule::BlockingCallInCallback,
        Rule::NestedRunInCallback,
        Rule::UnnecessaryNestAsyncio,
        Rule::TracebackProvenNestedRun,
        Rule::LibraryRunInAsync,
        Rule::RunUntilCompleteOnRunningLoop,
        Rule::RunCoroutineThreadsafeDeadlock,
        Rule::RunAtImportTime,
        Rule::RunOnFrameworkLoop,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Rule::AsyncioRunInAsync => "UNN001",
            Rule::RunUntilCompleteInAsync => "UNN002",
            Rule::RunnerRunInAsync => "UNN003",
            Rule::AwaitImpossible => "UNN004",
            Rule::InGeneratorExpression => "UNN005",
            Rule::RunCalledForCallable => "UNN006",
            Rule::BlockingCallInAsync => "UNN007",
            Rule::BlockingCallInCallback => "UNN008",
            Rule::NestedRunInCallback => "UNN009",
            Rule::UnnecessaryNestAsyncio => "UNN010",
            Rule::TracebackProvenNestedRun => "UNN011",
            Rule::LibraryRunInAsync => "UNN012",
            Rule::RunUntilCompleteOnRunningLoop => "UNN013",
            Rule::RunCoroutineThreadsafeDeadlock => "UNN014",
            Rule::RunAtImportTime => "UNN015",
            Rule::RunOnFrameworkLoop => "UNN016",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Rule::AsyncioRunInAsync => "asyncio-run-in-async",
            Rule::RunUntilCompleteInAsync => "run-until-complete-in-async",
            Rule::RunnerRunInAsync => "runner-run-in-async",
            Rule::AwaitImpossible => "await-impossible",
            Rule::InGeneratorExpression => "in-generator-expression",
            Rule::RunCalledForCallable => "run-called-for-callable",
            Rule::BlockingCallInAsync => "blocking-call-in-async",
            Rule::BlockingCallInCallback => "blocking-call-in-callback",
            Rule::NestedRunInCallback => "nested-run-in-callback",
            Rule::UnnecessaryNestAsyncio => "unnecessary-nest-asyncio",
            Rule::TracebackProvenNestedRun => "traceback-proven-nested-run",
            Rule::LibraryRunInAsync => "library-run-in-async",
            Rule::RunUntilCompleteOnRunningLoop => "run-until-complete-on-running-loop",
            Rule::RunCoroutineThreadsafeDeadlock => "run-coroutine-threadsafe-deadlock",
            Rule::RunAtImportTime => "run-at-import-time",
            Rule::RunOnFrameworkLoop => "run-on-framework-loop",
        }
    }
}

//! The command line, as clap reads it. Help is English; the Russian hints are where a 1C
//! administrator looks first (the top page, `call`, `endpoints`, credentials, exit codes).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The version line: the crate's version and the git revision it was built from.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (git ", env!("LOGIBRIDGE_GIT_REV"), ")");

const TOP_AFTER_HELP: &str = "\
Credentials, lowest to highest priority: the config file's profile
(~/.config/logibridge/config.toml, mode 600), environment variables
(LOGIBRIDGE_CARRETA_API_KEY, LOGIBRIDGE_IRECA_TOKEN, LOGIBRIDGE_CARGORUN_USERNAME,
LOGIBRIDGE_CARGORUN_PASSWORD, LOGIBRIDGE_<SERVICE>_URL), then flags.

Exit codes: 0 done, 1 local failure (a file: the input, the output, the journal, the
sync store, the token cache), 2 usage or config, 3 validation (nothing sent),
4 the service answered an error, 5 transport (connect, timeout), 6 outcome unknown
(a create may have been applied: look it up before sending it again).

По-русски: `logibridge call <идентификатор>` вызывает любой метод, как «Вызвать» во
внешней компоненте 1С; `logibridge endpoints` — список методов («Методы»). Ключи и
пароли берутся из файла настроек, переменных окружения LOGIBRIDGE_* или флагов и никогда
не выводятся. Сообщения об ошибках выводятся по-русски при LANG=ru_RU.UTF-8.
Коды выхода: 1 — ошибка локального файла, 2 — ошибка в командной строке или настройках,
3 — неверный параметр (ничего не отправлено), 4 — ошибка сервиса, 5 — нет связи или истекло
время, 6 — исход неизвестен (заказ мог быть создан: найдите его, прежде чем отправлять
снова).";

/// Call the Carreta, iRECA Courier and CARGO.RUN APIs, run their offline sandbox, convert
/// price lists and receive iRECA callbacks.
#[derive(Parser, Debug)]
#[command(name = "logibridge", version = VERSION, after_help = TOP_AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// How results are printed.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// An aligned table (a list) or name/value lines (one object).
    #[default]
    Table,
    /// The result as one JSON document.
    Json,
    /// One JSON document per line: each item of a list, or the one result.
    Jsonl,
}

impl OutputFormat {
    /// Whether scripts read the output (errors then go to stderr as JSON too).
    pub fn is_machine(self) -> bool {
        self != OutputFormat::Table
    }
}

/// Options every command takes.
#[derive(Args, Debug)]
pub struct Global {
    /// The config file (default: $LOGIBRIDGE_CONFIG, else ~/.config/logibridge/config.toml).
    /// Refused when group or others may read it (chmod 600).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The profile of the config file to use (default: $LOGIBRIDGE_PROFILE, else the file's
    /// `default_profile`, else `default`).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Carreta api_key (КлючAPI); prefer LOGIBRIDGE_CARRETA_API_KEY: a flag is visible in `ps`.
    #[arg(long, global = true, value_name = "KEY")]
    pub carreta_api_key: Option<String>,
    /// iRECA token (Токен); prefer LOGIBRIDGE_IRECA_TOKEN.
    #[arg(long, global = true, value_name = "TOKEN")]
    pub ireca_token: Option<String>,
    /// CARGO.RUN user name (Логин).
    #[arg(long, global = true, value_name = "USER")]
    pub cargorun_username: Option<String>,
    /// CARGO.RUN password (Пароль); prefer LOGIBRIDGE_CARGORUN_PASSWORD.
    #[arg(long, global = true, value_name = "PASSWORD")]
    pub cargorun_password: Option<String>,
    /// The base URL of the service the command talks to (a sandbox's, a customer host).
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// A client option by its name, as every face takes it: timeout=5, max_retries=0,
    /// deadline=30, account=1002, token_file=PATH. Repeatable.
    #[arg(long = "set", global = true, value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Output: table (default), json, jsonl.
    #[arg(short, long, global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// Where settings came from and the core's request log, on stderr. Secrets are never
    /// shown.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the endpoint ids with their parameters (Методы).
    Endpoints(EndpointsArgs),
    /// Call any endpoint by id (Вызвать): `logibridge call carreta.search.query -p q=oc47`.
    Call(CallArgs),
    /// Call an operation by method and path, for what the table has no row for (CARGO.RUN's
    /// newest calls): `logibridge call-path cargorun POST /api/waybill/Bids/Sign --body '{"bidId": 17}'`.
    /// A path of the service's Swagger is checked as its row.
    CallPath(CallPathArgs),
    /// Run the offline emulators of the three services until Ctrl-C (Песочница).
    Sandbox(SandboxArgs),
    /// The README scenario against an embedded sandbox: search, a refused order, an order,
    /// its list and history; an iRECA order; a CARGO.RUN sign-in.
    Demo,
    /// Price-list files (Прайс-лист).
    #[command(subcommand)]
    Pricelist(PricelistCommand),
    /// Carreta everyday commands.
    #[command(subcommand)]
    Carreta(CarretaCommand),
    /// iRECA Courier everyday commands.
    #[command(subcommand)]
    Ireca(IrecaCommand),
    /// CARGO.RUN everyday commands.
    #[command(subcommand)]
    Cargorun(CargorunCommand),
    /// The durable receiver of iRECA's callbacks.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Print a shell completion script: `logibridge completions bash > /etc/bash_completion.d/logibridge`.
    Completions {
        /// bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },
}

#[derive(Args, Debug)]
pub struct EndpointsArgs {
    /// Show one endpoint in full: every parameter with its type, rule and Russian name.
    #[arg(value_parser = EndpointId, hide_possible_values = true)]
    pub id: Option<String>,
    /// Only this service's rows (carreta, ireca, cargorun).
    #[arg(long, value_name = "SERVICE")]
    pub service: Option<String>,
    /// Only rows whose id, path, summary or a parameter contains WORD (any case); searches
    /// CARGO.RUN's generic Swagger rows too.
    #[arg(long, value_name = "WORD")]
    pub search: Option<String>,
    /// Include CARGO.RUN's generic rows (every Swagger operation) in the list.
    #[arg(long)]
    pub generic: bool,
}

#[derive(Args, Debug)]
pub struct CallArgs {
    /// The endpoint id (`logibridge endpoints` lists them).
    #[arg(value_parser = EndpointId, hide_possible_values = true)]
    pub id: String,
    /// A parameter: NAME=VALUE (read as the row's parameter type says) or NAME:=JSON (JSON
    /// as given). Repeating a name makes a list. Параметр: ИМЯ=ЗНАЧЕНИЕ.
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// The parameters as one JSON object, from a file or `-` for stdin; -p values override
    /// its members.
    #[arg(long, value_name = "FILE|-")]
    pub json: Option<String>,
    /// A paged call: fetch every page and print one list.
    #[arg(long)]
    pub all: bool,
}

#[derive(Args, Debug)]
pub struct CallPathArgs {
    /// The service (carreta, ireca, cargorun).
    pub service: String,
    /// GET, POST, PUT or DELETE.
    pub method: String,
    /// Relative to the service's base URL (`/api/Trackers/Attach`), without a query.
    pub path: String,
    /// A query parameter NAME=VALUE (repeatable; a repeated name repeats on the wire).
    #[arg(short = 'q', long = "query", value_name = "NAME=VALUE")]
    pub query: Vec<String>,
    /// The JSON body: text, @FILE or `-` (stdin).
    #[arg(long, value_name = "JSON|@FILE|-")]
    pub body: Option<String>,
}

#[derive(Args, Debug)]
pub struct SandboxArgs {
    /// Port to listen on; 0 picks a free one (printed).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Faults to arm at start: JSON (a fault object or a list of them, as the control API's
    /// POST /_control/faults takes), @FILE holding that JSON, or PREFIX=STATUS[xCOUNT]
    /// items separated by commas (`/carreta/v1/search=503x2`). Repeatable.
    #[arg(long, value_name = "SPEC")]
    pub faults: Vec<String>,
    /// Seed of the generated catalogue.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Subcommand, Debug)]
pub enum PricelistCommand {
    /// Convert a supplier price list (CSV, CP1251 or UTF-8, `;`) to JSON Lines, UTF-8 CSV or
    /// Parquet; bad rows are reported, never dropped silently.
    Convert(ConvertArgs),
}

/// What `pricelist convert` writes.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvertTo {
    Jsonl,
    Csv,
    Parquet,
}

#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// The price list to read.
    pub input: PathBuf,
    /// The output format.
    #[arg(long, value_enum)]
    pub to: ConvertTo,
    /// The output file (`-`: stdout, the default for jsonl and csv; parquet needs a file).
    /// Never the input itself. A regular file is replaced whole once the conversion is
    /// complete, keeping its mode (through a symbolic link: the file it points to); a FIFO
    /// or a device (/dev/stdout) is written to directly; a directory is refused. When
    /// stdout's reader stops early (`| head`), the conversion ends quietly with exit 0.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The input's encoding: cp1251, utf-8 or any WHATWG label (default: detected).
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// The input's field separator (default `;`).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<char>,
    /// Stop at the first bad row (exit 3) instead of reporting them all.
    #[arg(long)]
    pub strict: bool,
    /// Write every bad row as JSON Lines to FILE (line, column, reason, reason_ru, raw).
    #[arg(long, value_name = "FILE")]
    pub bad_rows: Option<PathBuf>,
    /// No progress bar even on a terminal.
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Subcommand, Debug)]
pub enum CarretaCommand {
    /// Offers for a part code, analogues included (carreta.search.query).
    Search {
        /// The part code.
        code: String,
    },
    /// Orders.
    #[command(subcommand)]
    Order(CarretaOrderCommand),
    /// Your orders, every page, optionally only those with a client comment (carreta.order.list).
    Orders {
        /// Only orders with this client comment (repeatable).
        #[arg(long = "comment", value_name = "TEXT")]
        comments: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum CarretaOrderCommand {
    /// Place an order for a search row. With --comment it is placed exactly once: the
    /// orders are looked up by the comment first, and one found is shown (outcome
    /// `existing`) instead of placing another, or refused (exit 3) when it is for another
    /// offer or quantity; then carreta.order.create_once, which looks a lost answer up by
    /// the comment before any new send. Two runs with one comment at once take turns.
    /// Without, carreta.order.create.
    Create {
        /// The offer as `carreta search -o json` prints it: JSON text, @FILE or `-` (stdin).
        #[arg(long, value_name = "JSON|@FILE|-")]
        offer_json: String,
        /// How many pieces.
        #[arg(long)]
        qty: i64,
        /// The client comment (at most 50 characters).
        #[arg(long)]
        comment: Option<String>,
        /// A test order (test=on).
        #[arg(long)]
        test: bool,
    },
    /// One order by id (carreta.order.get).
    Get { id: String },
    /// What happened to an order (carreta.order.history).
    History { id: String },
}

#[derive(Subcommand, Debug)]
pub enum IrecaCommand {
    /// Orders.
    #[command(subcommand)]
    Orders(IrecaOrdersCommand),
    /// Goods.
    #[command(subcommand)]
    Goods(IrecaGoodsCommand),
}

#[derive(Subcommand, Debug)]
pub enum IrecaOrdersCommand {
    /// One order by its orderId (ireca.orders.get).
    Get { order_id: String },
    /// The orders (ireca.orders.list).
    List {
        /// Every page.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum IrecaGoodsCommand {
    /// The goods (ireca.goods.list).
    List {
        /// Every page.
        #[arg(long)]
        all: bool,
    },
    /// One good by its goodId (ireca.goods.get).
    Get { good_id: String },
}

#[derive(Subcommand, Debug)]
pub enum CargorunCommand {
    /// Check the credentials: sign in, show the user and when the token expires (the token
    /// itself is never printed).
    Login,
    /// Bids.
    #[command(subcommand)]
    Bids(CargorunBidsCommand),
}

#[derive(Subcommand, Debug)]
pub enum CargorunBidsCommand {
    /// Print the bids changed since the stored checkpoint (or --since) and store the new
    /// checkpoint: each row once, across runs.
    Sync {
        /// Where a store without a checkpoint starts: rows updated at or after this time
        /// (2026-01-23T21:00:00Z).
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
        /// The SQLite file keeping the checkpoint (created when absent).
        #[arg(long, value_name = "FILE")]
        store: PathBuf,
        /// The account the checkpoint belongs to (default: the user name).
        #[arg(long)]
        account: Option<String>,
        /// An OData condition ANDed to the walk (`status eq 'Done'`).
        #[arg(long)]
        filter: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum WebhookCommand {
    /// Receive iRECA's callbacks: every one is written to the journal in DIR and synced to
    /// disk before it is answered 201. Prints the URLs to register, then each entry as it
    /// arrives, until Ctrl-C.
    Serve {
        /// The journal's directory (created when absent): DIR/callbacks.jsonl and its .acks.
        #[arg(long, value_name = "DIR")]
        journal: PathBuf,
        /// Port (0: a free one, printed).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Address to listen on (0.0.0.0 to accept the service from outside).
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// The secret first segment of the path, 16 to 256 of A-Z a-z 0-9 - _ . ~ (default:
        /// random at each start; set it so the registered URL survives a restart).
        #[arg(long, value_name = "SECRET")]
        path_secret: Option<String>,
        /// Where the service reaches this listener, behind NAT or a proxy.
        #[arg(long, value_name = "URL")]
        public_url: Option<String>,
        /// Acknowledge each entry once printed (default: they stay pending for `webhook tail`).
        #[arg(long)]
        ack: bool,
    },
    /// Print the journal's pending entries, oldest first, and acknowledge them (not while a
    /// `webhook serve` holds the journal).
    Tail {
        /// The journal's directory.
        dir: PathBuf,
        /// Print without acknowledging.
        #[arg(long)]
        no_ack: bool,
    },
}

/// An endpoint id: any text is taken (the table refuses an unknown id itself, naming it and
/// the ids that come close), while shell completions are offered every id of the table,
/// CARGO.RUN's generic Swagger rows included.
#[derive(Clone, Debug)]
struct EndpointId;

impl clap::builder::TypedValueParser for EndpointId {
    type Value = String;

    fn parse_ref(&self, cmd: &clap::Command, arg: Option<&clap::Arg>, value: &std::ffi::OsStr) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        let ids = logibridge::endpoints::services().into_iter().flat_map(logibridge::endpoints::rows_of).map(|ep| clap::builder::PossibleValue::new(ep.id));
        Some(Box::new(ids))
    }
}

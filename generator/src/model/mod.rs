//! The intermediate representation: every endpoint with all of its versions,
//! and every type they use. It knows nothing of OpenAPI's document structure
//! (that is [`build`]'s business) and nothing of Rust syntax (that is
//! [`crate::emit`]'s); names in it are plain strings chosen by
//! [`crate::naming`].

mod build;
mod code_names;

pub use build::{TypeNameLock, build, build_locked};

/// Everything the emitter needs, in a deterministic order.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// The API versions of the documents, ascending.
    pub versions: Vec<Version>,
    /// Sorted by path, then method.
    pub endpoints: Vec<Endpoint>,
    /// Sorted by name; a [`TypeRef::Named`] indexes into this.
    pub types: Vec<TypeDef>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub number: u32,
    /// The `x-keyfactor-api-version` header value, as the document's `info.version`.
    pub header: String,
}

/// One (method, path) with every version that exists of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// Upper case: GET, POST, ...
    pub method: String,
    pub path: String,
    /// Ascending by version.
    pub operations: Vec<Operation>,
}

/// One version of an endpoint; it becomes one function.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub fn_name: String,
    pub builder_name: String,
    pub method: String,
    pub path: String,
    pub version: Version,
    /// The first tag, which decides the module and the cargo feature.
    pub tag: Tag,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    /// Path parameters in path order, then the others in document order.
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub success: Success,
    /// Set when the operation lists items page by page.
    pub paging: Option<Paging>,
}

/// A listing with Keyfactor's `PageReturned` / `ReturnLimit` query parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Paging {
    /// Identifier of the page-number parameter.
    pub page: String,
    /// Identifier of the page-size parameter.
    pub limit: String,
    /// The type of one item.
    pub item: TypeRef,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tag {
    pub name: String,
    pub module: String,
    pub feature: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
    Header,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The name on the wire.
    pub wire: String,
    /// The Rust identifier.
    pub ident: String,
    pub location: Location,
    pub required: bool,
    pub ty: TypeRef,
    pub description: Option<String>,
}

impl Param {
    /// Passed as a function argument rather than through a builder setter.
    pub fn positional(&self) -> bool {
        self.location == Location::Path || self.required
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    pub ty: TypeRef,
    pub required: bool,
    pub description: Option<String>,
}

/// What a successful response carries.
#[derive(Debug, Clone, PartialEq)]
pub enum Success {
    /// No content (204, or a 200 declared without content).
    Empty {
        status: u16,
    },
    Json {
        status: u16,
        ty: TypeRef,
    },
}

/// The type of a value, as the API describes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeRef {
    String,
    Bool,
    I32,
    I64,
    F32,
    F64,
    Uuid,
    DateTime,
    /// `format: date`, kept as text.
    Date,
    /// `format: byte`: base64 text, kept as text.
    Base64,
    /// `format: date-span`: a .NET TimeSpan such as `1.02:03:04`, kept as text.
    DateSpan,
    /// Anything (no type given).
    Any,
    Array(Box<TypeRef>),
    /// An object with string keys and values of one type.
    Map(Box<TypeRef>),
    /// Index into [`Api::types`].
    Named(usize),
    /// A type that refers to itself through this field: stored behind a pointer.
    Boxed(Box<TypeRef>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    pub name: String,
    /// The schema's name in the documents.
    pub schema: String,
    /// `""`, or `"V2"` (...) for a second body of the same schema name.
    pub suffix: String,
    pub description: Option<String>,
    /// Header values of the versions whose documents define the schema.
    pub versions: Vec<String>,
    /// Tags of the operations that use the type, directly or through other
    /// types, sorted; empty when no operation does (the type then belongs
    /// to no area; see `naming`, "Areas").
    pub tags: Vec<Tag>,
    /// Which ways the type crosses the wire.
    pub directions: Directions,
    pub kind: TypeKind,
}

/// Whether a type is sent (in a request body) and whether it is received
/// (in a response), directly or inside another type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Directions {
    pub sent: bool,
    pub received: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    Struct {
        fields: Vec<Field>,
    },
    /// An integer code. The server sends and takes it as a number, a
    /// numeric string or a name; any value decodes.
    IntEnum {
        wide: bool,
        known: Vec<i64>,
        /// Names the documents' texts give some values (see `model::code_names`).
        names: Vec<CodeName>,
    },
    /// A string with a closed list of values in the documents; kept as text.
    StringEnum {
        known: Vec<String>,
    },
    /// A named schema that is not an object (`type: string`, an array ...).
    Alias {
        ty: TypeRef,
    },
}

/// A value of an integer code with the name a text of the documents gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeName {
    pub value: i64,
    /// As the text writes it: `Key compromised`.
    pub text: String,
    /// The constant's identifier, from [`crate::naming::code_constants`].
    pub ident: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub wire: String,
    pub ident: String,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    pub description: Option<String>,
}

impl Field {
    /// Whether the Rust field is an `Option`.
    pub fn optional(&self) -> bool {
        !self.required || self.nullable
    }
}

impl TypeRef {
    /// The named types this type refers to directly.
    pub fn named(&self) -> Vec<usize> {
        match self {
            TypeRef::Named(i) => vec![*i],
            TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => inner.named(),
            _ => Vec::new(),
        }
    }
}

impl TypeDef {
    /// The named types this type's fields refer to directly.
    pub fn named(&self) -> Vec<usize> {
        match &self.kind {
            TypeKind::Struct { fields } => fields.iter().flat_map(|f| f.ty.named()).collect(),
            TypeKind::Alias { ty } => ty.named(),
            TypeKind::IntEnum { .. } | TypeKind::StringEnum { .. } => Vec::new(),
        }
    }
}

impl Operation {
    /// The named types the operation refers to directly.
    pub fn named(&self) -> Vec<usize> {
        let params = self.params.iter().flat_map(|p| p.ty.named());
        let body = self.body.iter().flat_map(|b| b.ty.named());
        let success = match &self.success {
            Success::Json { ty, .. } => ty.named(),
            Success::Empty { .. } => Vec::new(),
        };
        params.chain(body).chain(success).collect()
    }
}

impl Api {
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.endpoints.iter().flat_map(|e| &e.operations)
    }

    /// Tags that have at least one operation, sorted by module name.
    pub fn tags(&self) -> Vec<Tag> {
        let set: std::collections::BTreeSet<Tag> = self.operations().map(|o| o.tag.clone()).collect();
        set.into_iter().collect()
    }
}

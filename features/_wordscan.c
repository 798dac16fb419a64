/* Word-start literal search for features.text_patterns (optional C speed-up; a pure-Python path does
 * the same when this module is not built).
 *
 * `WordIndex(spaced)` indexes every word start of a `WordText.spaced` string (a blank followed by a
 * non-blank) once, in chains keyed by the word's first characters. `starts(literals, pos, stop)` and
 * `first(literals, pos, stop)` (literals: a `LiteralSet`, prepared once per pattern) then give exactly the positions `spaced.find(literal, ...)` would stop at
 * for literals that begin with a blank and a word character, without scanning the text per literal:
 * that scanning, and the Python loops around it, were about a third of building a real letter's
 * features.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define N1 256 /* by first character; the tables by two and by four characters grow with the text */

typedef struct {
    PyObject_HEAD
    PyObject *text;  /* the spaced text */
    int kind;
    const void *data;
    Py_ssize_t len;
    PyObject *raw;   /* the text itself (optional): where literals not led by a blank are found */
    int raw_kind;
    const void *raw_data;
    Py_ssize_t raw_len;
    Py_ssize_t nwords;
    Py_ssize_t *pos;  /* position of each word's leading blank, ascending */
    int32_t *next;    /* 3 * nwords links: by one, two and four characters; -1 ends a chain */
    int32_t head1[N1];
    int32_t *head2;  /* by first two characters (words of two or more): mask + 1 buckets */
    int32_t *head4;  /* by first four characters (a shorter word: the whole word): mask + 1 buckets */
    uint32_t mask;
} WordIndex;

/* One literal, prepared once: its characters, and which chain (link) and bucket hold its candidates. */
typedef struct {
    const Py_UCS1 *chars;
    Py_ssize_t n;
    int link;       /* 0: by first character, 1: by two, 2: by four (or the whole short word) */
    uint32_t hash;  /* of its key; the bucket is hash & mask (by one character: the character) */
} Literal;

typedef struct {
    PyObject_HEAD
    PyObject *source; /* the tuple of str the literals point into */
    Py_ssize_t count;
    int anywhere;     /* found anywhere in the text itself, not only at word starts of the spaced text */
    Literal *lits;
} LiteralSet;

static inline uint32_t key_hash(const Py_UCS4 *c, Py_ssize_t n) {
    uint32_t h = (uint32_t)n * 2654435761u;
    for (Py_ssize_t i = 0; i < n; i++) h = (h ^ c[i]) * 16777619u;
    return h ^ (h >> 15);
}

static void WordIndex_dealloc(WordIndex *self) {
    PyMem_Free(self->pos);
    PyMem_Free(self->next);
    PyMem_Free(self->head2);
    Py_XDECREF(self->text);
    Py_XDECREF(self->raw);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *WordIndex_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    PyObject *text, *raw = NULL;
    static char *kwlist[] = {"spaced", "text", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "U|U:WordIndex", kwlist, &text, &raw)) return NULL;
    WordIndex *self = (WordIndex *)type->tp_alloc(type, 0);
    if (self == NULL) return NULL;
    Py_INCREF(text);
    self->text = text;
    if (raw != NULL) {
        Py_INCREF(raw);
        self->raw = raw;
        self->raw_kind = PyUnicode_KIND(raw);
        self->raw_data = PyUnicode_DATA(raw);
        self->raw_len = PyUnicode_GET_LENGTH(raw);
    }
    self->kind = PyUnicode_KIND(text);
    self->data = PyUnicode_DATA(text);
    self->len = PyUnicode_GET_LENGTH(text);
    const int kind = self->kind;
    const void *data = self->data;
    const Py_ssize_t len = self->len;
    Py_ssize_t n = 0;
    for (Py_ssize_t j = 0; j + 1 < len; j++)
        if (PyUnicode_READ(kind, data, j) == ' ' && PyUnicode_READ(kind, data, j + 1) != ' ') n++;
    if (n > INT32_MAX) {
        Py_DECREF(self);
        PyErr_SetString(PyExc_OverflowError, "text has too many words to index");
        return NULL;
    }
    self->nwords = n;
    uint32_t buckets = 16; /* at least twice the words: short chains, and a heading pays for few buckets */
    while (buckets < 2 * (uint64_t)n && buckets < (1u << 30)) buckets <<= 1;
    self->mask = buckets - 1;
    self->pos = PyMem_Malloc(sizeof(Py_ssize_t) * (n ? n : 1));
    self->next = PyMem_Malloc(sizeof(int32_t) * 3 * (n ? n : 1));
    self->head2 = PyMem_Malloc(sizeof(int32_t) * 2 * (size_t)buckets);
    if (self->pos == NULL || self->next == NULL || self->head2 == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    self->head4 = self->head2 + buckets;
    memset(self->head1, 0xff, sizeof(self->head1));
    memset(self->head2, 0xff, sizeof(int32_t) * 2 * (size_t)buckets);
    Py_ssize_t w = 0;
    for (Py_ssize_t j = 0; j + 1 < len; j++)
        if (PyUnicode_READ(kind, data, j) == ' ' && PyUnicode_READ(kind, data, j + 1) != ' ') self->pos[w++] = j;
    /* last word first, each put in front of its chains: every chain ends up ascending */
    for (w = n - 1; w >= 0; w--) {
        Py_ssize_t j = self->pos[w];
        Py_UCS4 c[4] = {0, 0, 0, 0};
        Py_ssize_t k = 0;
        while (k < 4 && j + 1 + k < len) {
            Py_UCS4 ch = PyUnicode_READ(kind, data, j + 1 + k);
            if (ch == ' ') break;
            c[k++] = ch;
        }
        int32_t *nx = self->next + 3 * w;
        uint32_t b1 = c[0] & (N1 - 1);
        nx[0] = self->head1[b1];
        self->head1[b1] = (int32_t)w;
        if (k >= 2) {
            uint32_t b2 = key_hash(c, 2) & self->mask;
            nx[1] = self->head2[b2];
            self->head2[b2] = (int32_t)w;
        } else {
            nx[1] = -1;
        }
        uint32_t b4 = key_hash(c, k) & self->mask;
        nx[2] = self->head4[b4];
        self->head4[b4] = (int32_t)w;
    }
    return (PyObject *)self;
}

/* Which chain holds a literal's candidates: the literal's word characters after the leading blank
 * decide (four or more: by four; fewer but ending the word: that whole word; two or three: by two; one:
 * by the first character). Every chain is a superset: `matches_at` checks the whole literal. */
static void literal_chain(const Py_UCS1 *lit, Py_ssize_t n, int *link, uint32_t *hash) {
    Py_ssize_t r = 0;
    while (1 + r < n && lit[1 + r] != ' ') r++;
    Py_UCS4 c[4] = {0, 0, 0, 0};
    for (Py_ssize_t i = 0; i < r && i < 4; i++) c[i] = lit[1 + i];
    if (r >= 4) {
        *link = 2;
        *hash = key_hash(c, 4);
    } else if (1 + r < n) {
        *link = 2;
        *hash = key_hash(c, r);
    } else if (r >= 2) {
        *link = 1;
        *hash = key_hash(c, 2);
    } else {
        *link = 0;
        *hash = c[0];
    }
}

static inline int32_t chain_head(WordIndex *self, const Literal *lit) {
    switch (lit->link) {
    case 2: return self->head4[lit->hash & self->mask];
    case 1: return self->head2[lit->hash & self->mask];
    default: return self->head1[lit->hash & (N1 - 1)];
    }
}

static inline int matches_at(WordIndex *self, Py_ssize_t j, const Py_UCS1 *lit, Py_ssize_t n) {
    const int kind = self->kind;
    const void *data = self->data;
    if (kind == PyUnicode_1BYTE_KIND) return memcmp((const Py_UCS1 *)data + j + 1, lit + 1, n - 1) == 0;
    for (Py_ssize_t k = 1; k < n; k++)
        if (PyUnicode_READ(kind, data, j + k) != lit[k]) return 0;
    return 1;
}

/* Checks one literal argument; returns its characters (NULL with an exception set when unusable). */
static const Py_UCS1 *literal_chars(PyObject *lit, Py_ssize_t *n, int anywhere) {
    if (!PyUnicode_Check(lit) || !PyUnicode_IS_ASCII(lit)) {
        PyErr_SetString(PyExc_TypeError, "literals must be ASCII str");
        return NULL;
    }
    *n = PyUnicode_GET_LENGTH(lit);
    const Py_UCS1 *s = PyUnicode_1BYTE_DATA(lit);
    if (anywhere) {
        if (*n == 0) {
            PyErr_SetString(PyExc_ValueError, "an anywhere literal must not be empty");
            return NULL;
        }
        return s;
    }
    if (*n < 2 || s[0] != ' ' || s[1] == ' ') {
        PyErr_Format(PyExc_ValueError, "literal %R must be a blank followed by a word character", lit);
        return NULL;
    }
    return s;
}

static void LiteralSet_dealloc(LiteralSet *self) {
    PyMem_Free(self->lits);
    Py_XDECREF(self->source);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *LiteralSet_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    PyObject *source;
    int anywhere = 0;
    static char *kwlist[] = {"literals", "anywhere", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!|p:LiteralSet", kwlist, &PyTuple_Type, &source, &anywhere))
        return NULL;
    LiteralSet *self = (LiteralSet *)type->tp_alloc(type, 0);
    if (self == NULL) return NULL;
    Py_INCREF(source);
    self->source = source;
    self->count = PyTuple_GET_SIZE(source);
    self->anywhere = anywhere;
    self->lits = PyMem_Malloc(sizeof(Literal) * (self->count ? self->count : 1));
    if (self->lits == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < self->count; i++) {
        Literal *lit = &self->lits[i];
        lit->chars = literal_chars(PyTuple_GET_ITEM(source, i), &lit->n, anywhere);
        if (lit->chars == NULL) {
            Py_DECREF(self);
            return NULL;
        }
        if (!anywhere) literal_chain(lit->chars, lit->n, &lit->link, &lit->hash);
    }
    return (PyObject *)self;
}

static PyObject *LiteralSet_len(LiteralSet *self, PyObject *Py_UNUSED(ignored)) {
    return PyLong_FromSsize_t(self->count);
}

static PyMethodDef LiteralSet_methods[] = {
    {"size", (PyCFunction)LiteralSet_len, METH_NOARGS, "size() -> how many literals"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject LiteralSetType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "features._wordscan.LiteralSet",
    .tp_doc = "LiteralSet(literals): blank-led ASCII literals prepared once for WordIndex.starts / first.",
    .tp_basicsize = sizeof(LiteralSet),
    .tp_itemsize = 0,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = LiteralSet_new,
    .tp_dealloc = (destructor)LiteralSet_dealloc,
    .tp_methods = LiteralSet_methods,
};

static int parse_args(PyObject *const *args, Py_ssize_t nargs, const char *name, LiteralSet **lits,
                      Py_ssize_t *lo, Py_ssize_t *stop, LiteralSet **anywhere) {
    if (nargs != 3 && nargs != 4) {
        PyErr_Format(PyExc_TypeError, "%s(literals, pos, stop[, anywhere]) takes 3 or 4 arguments", name);
        return -1;
    }
    *anywhere = NULL;
    if (nargs == 4 && args[3] != Py_None) {
        if (!Py_IS_TYPE(args[3], &LiteralSetType) || !((LiteralSet *)args[3])->anywhere) {
            PyErr_Format(PyExc_TypeError, "%s: anywhere must be a LiteralSet(..., anywhere=True)", name);
            return -1;
        }
        *anywhere = (LiteralSet *)args[3];
    }
    if (!Py_IS_TYPE(args[0], &LiteralSetType) || ((LiteralSet *)args[0])->anywhere) {
        PyErr_Format(PyExc_TypeError, "%s: literals must be a LiteralSet of blank-led literals", name);
        return -1;
    }
    *lits = (LiteralSet *)args[0];
    *lo = PyLong_AsSsize_t(args[1]);
    if (*lo == -1 && PyErr_Occurred()) return -1;
    *stop = PyLong_AsSsize_t(args[2]);
    if (*stop == -1 && PyErr_Occurred()) return -1;
    return 0;
}

static int cmp_ssize(const void *a, const void *b) {
    Py_ssize_t x = *(const Py_ssize_t *)a, y = *(const Py_ssize_t *)b;
    return (x > y) - (x < y);
}

/* Calls found(j) for each i in [lo, end - n] with raw[i:i + n] == lit, ascending, until it returns
 * nonzero; returns -1 on error, 1 when stopped, 0 otherwise. What repeated `raw.find(lit, ..., end)` gives. */
typedef int (*found_fn)(void *state, Py_ssize_t j);

static int raw_occurrences(WordIndex *self, const Literal *L, Py_ssize_t lo, Py_ssize_t end, found_fn found,
                           void *state) {
    const Py_UCS1 *lit = L->chars;
    const Py_ssize_t n = L->n;
    if (end > self->raw_len) end = self->raw_len;
    if (self->raw_kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *s = self->raw_data;
        Py_ssize_t i = lo;
        while (i + n <= end) {
            const Py_UCS1 *hit = memchr(s + i, lit[0], (size_t)(end - n + 1 - i));
            if (hit == NULL) break;
            i = hit - s;
            if (memcmp(s + i + 1, lit + 1, n - 1) == 0) {
                int r = found(state, i);
                if (r) return r;
            }
            i++;
        }
        return 0;
    }
    for (Py_ssize_t i = lo; i + n <= end; i++) {
        Py_ssize_t k = 0;
        while (k < n && PyUnicode_READ(self->raw_kind, self->raw_data, i + k) == lit[k]) k++;
        if (k == n) {
            int r = found(state, i);
            if (r) return r;
        }
    }
    return 0;
}

typedef struct {
    Py_ssize_t *found, cap, count;
    Py_ssize_t *stack;
} Collected;

static int collect(void *state, Py_ssize_t j) {
    Collected *c = state;
    if (c->count == c->cap) {
        Py_ssize_t *grown = PyMem_Malloc(sizeof(Py_ssize_t) * c->cap * 2);
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        memcpy(grown, c->found, sizeof(Py_ssize_t) * c->count);
        if (c->found != c->stack) PyMem_Free(c->found);
        c->found = grown;
        c->cap *= 2;
    }
    c->found[c->count++] = j;
    return 0;
}

static int first_only(void *state, Py_ssize_t j) {
    Py_ssize_t *best = state;
    if (*best < 0 || j < *best) *best = j;
    return 1; /* ascending: the first occurrence is this literal's least */
}

static int check_raw(WordIndex *self, LiteralSet *anywhere) {
    if (anywhere != NULL && self->raw == NULL) {
        PyErr_SetString(PyExc_ValueError, "anywhere literals need the index built with the text");
        return -1;
    }
    return 0;
}

/* starts(literals, pos, stop[, anywhere]): ascending distinct j with pos <= j, j + len(lit) <= stop and
 * spaced[j:j + len(lit)] == lit for some literal (what repeated `find` calls report), together with
 * each i where an anywhere literal occurs in text[pos:stop - 1] (`spaced` is one longer than `text`). */
static PyObject *WordIndex_starts(WordIndex *self, PyObject *const *args, Py_ssize_t nargs) {
    LiteralSet *lits, *anywhere;
    Py_ssize_t lo, stop;
    if (parse_args(args, nargs, "starts", &lits, &lo, &stop, &anywhere) < 0 || check_raw(self, anywhere) < 0)
        return NULL;
    if (stop > self->len) stop = self->len;
    if (lo < 0) lo = 0;
    Py_ssize_t stack[16];
    Collected c = {stack, 16, 0, stack};
    for (Py_ssize_t i = 0; i < lits->count; i++) {
        const Literal *L = &lits->lits[i];
        const Py_UCS1 *lit = L->chars;
        const Py_ssize_t n = L->n;
        const int link = L->link;
        for (int32_t w = chain_head(self, L); w >= 0; w = self->next[3 * w + link]) {
            Py_ssize_t j = self->pos[w];
            if (j < lo) continue;
            if (j + n > stop) break;
            if (matches_at(self, j, lit, n) && collect(&c, j) < 0) goto fail;
        }
    }
    if (anywhere != NULL)
        for (Py_ssize_t i = 0; i < anywhere->count; i++)
            if (raw_occurrences(self, &anywhere->lits[i], lo, stop - 1, collect, &c) < 0) goto fail;
    if (c.count > 1) qsort(c.found, c.count, sizeof(Py_ssize_t), cmp_ssize);
    Py_ssize_t distinct = 0;
    for (Py_ssize_t i = 0; i < c.count; i++)
        if (distinct == 0 || c.found[distinct - 1] != c.found[i]) c.found[distinct++] = c.found[i];
    PyObject *out = PyList_New(distinct);
    if (out == NULL) goto fail;
    for (Py_ssize_t i = 0; i < distinct; i++) {
        PyObject *v = PyLong_FromSsize_t(c.found[i]);
        if (v == NULL) {
            Py_DECREF(out);
            goto fail;
        }
        PyList_SET_ITEM(out, i, v);
    }
    if (c.found != stack) PyMem_Free(c.found);
    return out;
fail:
    if (c.found != stack) PyMem_Free(c.found);
    return NULL;
}

/* first(literals, pos, stop[, anywhere]): the least of starts(...), or -1. */
static PyObject *WordIndex_first(WordIndex *self, PyObject *const *args, Py_ssize_t nargs) {
    LiteralSet *lits, *anywhere;
    Py_ssize_t lo, stop;
    if (parse_args(args, nargs, "first", &lits, &lo, &stop, &anywhere) < 0 || check_raw(self, anywhere) < 0)
        return NULL;
    if (stop > self->len) stop = self->len;
    if (lo < 0) lo = 0;
    Py_ssize_t best = -1;
    for (Py_ssize_t i = 0; i < lits->count; i++) {
        const Literal *L = &lits->lits[i];
        const Py_UCS1 *lit = L->chars;
        const Py_ssize_t n = L->n;
        const int link = L->link;
        for (int32_t w = chain_head(self, L); w >= 0; w = self->next[3 * w + link]) {
            Py_ssize_t j = self->pos[w];
            if (j < lo) continue;
            if (j + n > stop || (best >= 0 && j >= best)) break;
            if (matches_at(self, j, lit, n)) {
                best = j;
                break;
            }
        }
    }
    if (anywhere != NULL)
        for (Py_ssize_t i = 0; i < anywhere->count; i++) {
            Py_ssize_t end = best >= 0 ? best + anywhere->lits[i].n : stop - 1; /* only an earlier one counts */
            if (end > stop - 1) end = stop - 1;
            raw_occurrences(self, &anywhere->lits[i], lo, end, first_only, &best);
        }
    return PyLong_FromSsize_t(best);
}

static PyObject *WordIndex_len(WordIndex *self, PyObject *Py_UNUSED(ignored)) {
    return PyLong_FromSsize_t(self->nwords);
}

static PyMethodDef WordIndex_methods[] = {
    {"starts", (PyCFunction)(void (*)(void))WordIndex_starts, METH_FASTCALL,
     "starts(literals, pos, stop[, anywhere]) -> ascending distinct positions where a literal occurs"},
    {"first", (PyCFunction)(void (*)(void))WordIndex_first, METH_FASTCALL,
     "first(literals, pos, stop[, anywhere]) -> the first such position, or -1"},
    {"words", (PyCFunction)WordIndex_len, METH_NOARGS, "words() -> how many word starts are indexed"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject WordIndexType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "features._wordscan.WordIndex",
    .tp_doc = "Word starts of a WordText.spaced string, for finding blank-led literals without a scan each.",
    .tp_basicsize = sizeof(WordIndex),
    .tp_itemsize = 0,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = WordIndex_new,
    .tp_dealloc = (destructor)WordIndex_dealloc,
    .tp_methods = WordIndex_methods,
};

/* ---- GramIndex: which of an ordered list of patterns can match a short text (PatternIndex) ---------- */

typedef struct {
    PyObject_HEAD
    uint32_t mask;      /* table size - 1 */
    uint32_t *keys;     /* 3 ASCII characters, 7 bits each, plus 1 (0: empty slot) */
    uint32_t *offset;   /* where the slot's pattern indices start in `items` */
    uint32_t *count;
    int32_t *items;
    int32_t *always;
    Py_ssize_t nalways;
    Py_ssize_t npatterns;
} GramIndex;

static inline uint32_t gram_slot(uint32_t key, uint32_t mask) { return (key * 2654435761u >> 7) & mask; }

static void GramIndex_dealloc(GramIndex *self) {
    PyMem_Free(self->keys);
    PyMem_Free(self->items);
    PyMem_Free(self->always);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int as_indices(PyObject *seq, Py_ssize_t npatterns, int32_t *out) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(seq); i++) {
        Py_ssize_t v = PyLong_AsSsize_t(PyTuple_GET_ITEM(seq, i));
        if (v == -1 && PyErr_Occurred()) return -1;
        if (v < 0 || v >= npatterns) {
            PyErr_Format(PyExc_ValueError, "pattern index %zd outside 0..%zd", v, npatterns - 1);
            return -1;
        }
        out[i] = (int32_t)v;
    }
    return 0;
}

static PyObject *GramIndex_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    PyObject *grams, *always;
    Py_ssize_t npatterns;
    static char *kwlist[] = {"grams", "always", "patterns", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!n:GramIndex", kwlist, &PyDict_Type, &grams,
                                     &PyTuple_Type, &always, &npatterns))
        return NULL;
    GramIndex *self = (GramIndex *)type->tp_alloc(type, 0);
    if (self == NULL) return NULL;
    self->npatterns = npatterns;
    Py_ssize_t ngrams = PyDict_GET_SIZE(grams), nitems = 0, pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(grams, &pos, &key, &value)) {
        if (!PyUnicode_Check(key) || !PyUnicode_IS_ASCII(key) || PyUnicode_GET_LENGTH(key) != 3 ||
            !PyTuple_Check(value)) {
            PyErr_SetString(PyExc_TypeError, "grams must map 3-character ASCII str to a tuple of int");
            Py_DECREF(self);
            return NULL;
        }
        nitems += PyTuple_GET_SIZE(value);
    }
    uint32_t size = 16;
    while (size < 2 * (uint64_t)ngrams) size <<= 1;
    self->mask = size - 1;
    self->keys = PyMem_Calloc(3 * (size_t)size, sizeof(uint32_t));
    self->items = PyMem_Malloc(sizeof(int32_t) * (nitems ? nitems : 1));
    self->nalways = PyTuple_GET_SIZE(always);
    self->always = PyMem_Malloc(sizeof(int32_t) * (self->nalways ? self->nalways : 1));
    if (self->keys == NULL || self->items == NULL || self->always == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    self->offset = self->keys + size;
    self->count = self->keys + 2 * (size_t)size;
    if (as_indices(always, npatterns, self->always) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    uint32_t at = 0;
    pos = 0;
    while (PyDict_Next(grams, &pos, &key, &value)) {
        const Py_UCS1 *g = PyUnicode_1BYTE_DATA(key);
        uint32_t k = ((uint32_t)g[0] << 14 | (uint32_t)g[1] << 7 | g[2]) + 1;
        uint32_t s = gram_slot(k, self->mask);
        while (self->keys[s] != 0) s = (s + 1) & self->mask;
        self->keys[s] = k;
        self->offset[s] = at;
        self->count[s] = (uint32_t)PyTuple_GET_SIZE(value);
        if (as_indices(value, npatterns, self->items + at) < 0) {
            Py_DECREF(self);
            return NULL;
        }
        at += self->count[s];
    }
    return (PyObject *)self;
}

/* candidates(spaced) -> ascending indices of the patterns filed under some 3-character slice of
 * `spaced`, and those filed as always (what PatternIndex.candidates returns, without a Python loop). */
static PyObject *GramIndex_candidates(GramIndex *self, PyObject *spaced) {
    if (!PyUnicode_Check(spaced)) {
        PyErr_SetString(PyExc_TypeError, "candidates(spaced): spaced must be str");
        return NULL;
    }
    char stack[256];
    char *seen = self->npatterns <= 256 ? stack : PyMem_Calloc(self->npatterns, 1);
    if (seen == NULL) return PyErr_NoMemory();
    if (seen == stack) memset(stack, 0, self->npatterns);
    for (Py_ssize_t i = 0; i < self->nalways; i++) seen[self->always[i]] = 1;
    const int kind = PyUnicode_KIND(spaced);
    const void *data = PyUnicode_DATA(spaced);
    const Py_ssize_t n = PyUnicode_GET_LENGTH(spaced);
    for (Py_ssize_t i = 0; i + 3 <= n; i++) {
        Py_UCS4 a = PyUnicode_READ(kind, data, i), b = PyUnicode_READ(kind, data, i + 1),
                c = PyUnicode_READ(kind, data, i + 2);
        if ((a | b | c) > 127) continue; /* every key is ASCII */
        uint32_t k = (a << 14 | b << 7 | c) + 1;
        for (uint32_t s = gram_slot(k, self->mask); self->keys[s] != 0; s = (s + 1) & self->mask) {
            if (self->keys[s] == k) {
                const int32_t *it = self->items + self->offset[s];
                for (uint32_t j = 0; j < self->count[s]; j++) seen[it[j]] = 1;
                break;
            }
        }
    }
    Py_ssize_t total = 0;
    for (Py_ssize_t i = 0; i < self->npatterns; i++) total += seen[i];
    PyObject *out = PyList_New(total);
    if (out != NULL) {
        Py_ssize_t at = 0;
        for (Py_ssize_t i = 0; i < self->npatterns && out != NULL; i++) {
            if (!seen[i]) continue;
            PyObject *v = PyLong_FromSsize_t(i);
            if (v == NULL) {
                Py_CLEAR(out);
                break;
            }
            PyList_SET_ITEM(out, at++, v);
        }
    }
    if (seen != stack) PyMem_Free(seen);
    return out;
}

static PyMethodDef GramIndex_methods[] = {
    {"candidates", (PyCFunction)GramIndex_candidates, METH_O,
     "candidates(spaced) -> ascending indices of the patterns that may match"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject GramIndexType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "features._wordscan.GramIndex",
    .tp_doc = "GramIndex(grams, always, patterns): patterns filed under 3-character starts (PatternIndex).",
    .tp_basicsize = sizeof(GramIndex),
    .tp_itemsize = 0,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = GramIndex_new,
    .tp_dealloc = (destructor)GramIndex_dealloc,
    .tp_methods = GramIndex_methods,
};

static struct PyModuleDef wordscan_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "features._wordscan",
    .m_doc = "Word-start literal search (optional C speed-up of features.text_patterns).",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit__wordscan(void) {
    if (PyType_Ready(&WordIndexType) < 0 || PyType_Ready(&LiteralSetType) < 0 ||
        PyType_Ready(&GramIndexType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&wordscan_module);
    if (m == NULL) return NULL;
    Py_INCREF(&WordIndexType);
    if (PyModule_AddObject(m, "WordIndex", (PyObject *)&WordIndexType) < 0) {
        Py_DECREF(&WordIndexType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&LiteralSetType);
    if (PyModule_AddObject(m, "LiteralSet", (PyObject *)&LiteralSetType) < 0) {
        Py_DECREF(&LiteralSetType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&GramIndexType);
    if (PyModule_AddObject(m, "GramIndex", (PyObject *)&GramIndexType) < 0) {
        Py_DECREF(&GramIndexType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

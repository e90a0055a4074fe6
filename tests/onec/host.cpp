// A test host that loads the logibridge 1C component the way 1C:Enterprise loads a Native
// API add-in, on Linux x86_64 (g++: dlopen) and on Windows x86_64 and x86 (cross-compiled
// with mingw, run under wine: LoadLibraryW): the five exports, a memory manager and a
// platform interface of its own, Init/setMemManager in both orders, then the
// language-extension calls by Russian and English names.
//
// The interfaces below are declared from the documented facts of the Native API (vtable
// order, the destructor's slots, the calling convention, tVariant layout); nothing is taken
// from the vendor's SDK. The platform-specific part (loading, sockets, temporary files) is
// the "portability" section; everything after it is one program for both systems.
//
// Environment: LB_COMPONENT (path of the .so), LB_CARRETA_URL, LB_CARRETA_KEY, LB_IRECA_URL,
// LB_IRECA_TOKEN (session 7: the class Ireca against the sandbox's iRECA emulator),
// LB_CARGORUN_URL, LB_CARGORUN_USERNAME, LB_CARGORUN_PASSWORD (session 8: CargoRun).
// Logs every step to stdout; exits 1 on the first failed expectation of a step.
//
// Besides Carreta (against the sandbox), session 4 declares a service that exists only in
// this file (prefix `onectest`) through the generic class `Client`, serves it from a tiny
// HTTP/1.1 handler on a loopback port (TinyServer below) and calls its rows through
// `Вызвать` and through the class generated for it.

#ifdef _WIN32
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0A00
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <process.h>
#include <wchar.h>
#else
#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdarg>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// WCHAR_T is UTF-16 on both systems (wchar_t is 4 bytes on Linux: never used here).
typedef char16_t WCHAR_T;

// ---------------------------------------------------------------- the two ABIs
// Linux (g++, the Itanium C++ ABI): a virtual destructor takes two vtable slots, methods use
// the ordinary calling convention. Windows (the platform is built with MSVC): one slot for
// the destructor, and every method is `__stdcall` (the SDK's ADDIN_API), which on x86 passes
// `this` on the stack (not thiscall's ECX); on x86_64 there is one convention. mingw's g++
// lays vtables out as g++ does, so on Windows the destructor is declared as a single
// ordinary virtual method: the slots then fall where MSVC puts them. `long` is 4 bytes on
// Windows and 8 on Linux x86_64, as in the platform's own headers.
#ifdef _WIN32
#define ADDIN_API __stdcall
#define NATIVE_DTOR(cls) virtual void ADDIN_API msvc_destructor_slot_() {}
#else
#define ADDIN_API
#define NATIVE_DTOR(cls) virtual ~cls() {}
#endif

// ---------------------------------------------------------------- tVariant
enum : uint16_t {
    VTYPE_EMPTY = 0, VTYPE_NULL = 1, VTYPE_I2 = 2, VTYPE_I4 = 3, VTYPE_R4 = 4, VTYPE_R8 = 5,
    VTYPE_DATE = 6, VTYPE_TM = 7, VTYPE_PSTR = 8, VTYPE_INTERFACE = 9, VTYPE_ERROR = 10,
    VTYPE_BOOL = 11, VTYPE_VARIANT = 12, VTYPE_I1 = 13, VTYPE_UI1 = 14, VTYPE_UI2 = 15,
    VTYPE_UI4 = 16, VTYPE_I8 = 17, VTYPE_UI8 = 18, VTYPE_INT = 19, VTYPE_UINT = 20,
    VTYPE_HRESULT = 21, VTYPE_PWSTR = 22, VTYPE_BLOB = 23,
};

struct tVariant {
    union {
        int32_t lVal;
        int64_t llVal;
        bool bVal;
        double dblVal;
        struct tm tmVal;
        struct { char* pstrVal; uint32_t strLen; };
        struct { WCHAR_T* pwstrVal; uint32_t wstrLen; };
    };
    uint32_t cbElements;
    uint16_t vt;
};
#ifdef _WIN32
// struct tm has 9 ints (36 bytes) and doubles align to 8 on both Windows targets.
static_assert(sizeof(tVariant) == 48, "tVariant is 48 bytes on Windows x86_64 and x86");
static_assert(offsetof(tVariant, cbElements) == 40, "cbElements at 40");
static_assert(offsetof(tVariant, vt) == 44, "vt at 44");
#else
static_assert(sizeof(tVariant) == 64, "tVariant is 64 bytes on Linux x86_64");
static_assert(offsetof(tVariant, cbElements) == 56, "cbElements at 56");
static_assert(offsetof(tVariant, vt) == 60, "vt at 60");
#endif

// ---------------------------------------------------------------- interfaces
// Each starts with the virtual destructor (NATIVE_DTOR: its slots as the platform's compiler
// lays them out); every method has the platform's calling convention.
class IMemoryManager {
public:
    NATIVE_DTOR(IMemoryManager)
    virtual bool ADDIN_API AllocMemory(void** pMemory, unsigned long ulCountByte) = 0;
    virtual void ADDIN_API FreeMemory(void** pMemory) = 0;
};

class IAddInDefBase {
public:
    NATIVE_DTOR(IAddInDefBase)
    virtual bool ADDIN_API AddError(unsigned short wcode, const WCHAR_T* source, const WCHAR_T* descr, long scode) = 0;
    virtual bool ADDIN_API Read(WCHAR_T* propName, tVariant* val, long* errCode, WCHAR_T** errDescriptor) = 0;
    virtual bool ADDIN_API Write(WCHAR_T* propName, tVariant* val) = 0;
    virtual bool ADDIN_API RegisterProfileAs(WCHAR_T* profileName) = 0;
    virtual bool ADDIN_API SetEventBufferDepth(long depth) = 0;
    virtual long ADDIN_API GetEventBufferDepth() = 0;
    virtual bool ADDIN_API ExternalEvent(WCHAR_T* source, WCHAR_T* message, WCHAR_T* data) = 0;
    virtual void ADDIN_API CleanEventBuffer() = 0;
    virtual bool ADDIN_API SetStatusLine(WCHAR_T* statusLine) = 0;
    virtual void ADDIN_API ResetStatusLine() = 0;
};

class IAddInDefBaseEx : public IAddInDefBase {
public:
    virtual void* ADDIN_API GetInterface(int iface) = 0;  // the 13th slot
};

class IInitDoneBase {
public:
    NATIVE_DTOR(IInitDoneBase)
    virtual bool ADDIN_API Init(void* disp) = 0;
    virtual bool ADDIN_API setMemManager(void* mem) = 0;
    virtual long ADDIN_API GetInfo() = 0;
    virtual void ADDIN_API Done() = 0;
};

class ILanguageExtenderBase {
public:
    NATIVE_DTOR(ILanguageExtenderBase)
    virtual bool ADDIN_API RegisterExtensionAs(WCHAR_T** extName) = 0;
    virtual long ADDIN_API GetNProps() = 0;
    virtual long ADDIN_API FindProp(const WCHAR_T* name) = 0;
    virtual const WCHAR_T* ADDIN_API GetPropName(long num, long alias) = 0;
    virtual bool ADDIN_API GetPropVal(long num, tVariant* val) = 0;
    virtual bool ADDIN_API SetPropVal(long num, tVariant* val) = 0;
    virtual bool ADDIN_API IsPropReadable(long num) = 0;
    virtual bool ADDIN_API IsPropWritable(long num) = 0;
    virtual long ADDIN_API GetNMethods() = 0;
    virtual long ADDIN_API FindMethod(const WCHAR_T* name) = 0;
    virtual const WCHAR_T* ADDIN_API GetMethodName(long num, long alias) = 0;
    virtual long ADDIN_API GetNParams(long num) = 0;
    virtual bool ADDIN_API GetParamDefValue(long method, long param, tVariant* val) = 0;
    virtual bool ADDIN_API HasRetVal(long method) = 0;
    virtual bool ADDIN_API CallAsProc(long method, tVariant* params, long count) = 0;
    virtual bool ADDIN_API CallAsFunc(long method, tVariant* ret, tVariant* params, long count) = 0;
};

class LocaleBase {
public:
    NATIVE_DTOR(LocaleBase)
    virtual void ADDIN_API SetLocale(const WCHAR_T* loc) = 0;
};

class UserLanguageBase {
public:
    NATIVE_DTOR(UserLanguageBase)
    virtual void ADDIN_API SetUserInterfaceLanguageCode(const WCHAR_T* lang) = 0;
};

class IComponentBase : public IInitDoneBase, public ILanguageExtenderBase, public LocaleBase, public UserLanguageBase {
public:
    NATIVE_DTOR(IComponentBase)
};

typedef const WCHAR_T* (*GetClassNamesFn)();
typedef long (*GetClassObjectFn)(const WCHAR_T*, IComponentBase**);
typedef long (*DestroyObjectFn)(IComponentBase**);
typedef int (*SetPlatformCapabilitiesFn)(int);
typedef int (*GetAttachTypeFn)();

// ---------------------------------------------------------------- text helpers
static std::u16string u16(const std::string& s) {
    std::u16string out;
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = s[i];
        uint32_t cp;
        int n;
        if (c < 0x80) { cp = c; n = 1; }
        else if ((c >> 5) == 6) { cp = c & 0x1f; n = 2; }
        else if ((c >> 4) == 14) { cp = c & 0x0f; n = 3; }
        else { cp = c & 0x07; n = 4; }
        for (int k = 1; k < n && i + k < s.size(); k++) cp = (cp << 6) | (s[i + k] & 0x3f);
        i += n;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out.push_back(char16_t(0xD800 + (cp >> 10)));
            out.push_back(char16_t(0xDC00 + (cp & 0x3ff)));
        } else {
            out.push_back(char16_t(cp));
        }
    }
    return out;
}

static std::string u8(const WCHAR_T* p, size_t len) {
    std::string out;
    for (size_t i = 0; i < len; i++) {
        uint32_t cp = p[i];
        if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < len) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (p[i + 1] - 0xDC00);
            i++;
        }
        if (cp < 0x80) out.push_back(char(cp));
        else if (cp < 0x800) { out.push_back(char(0xC0 | (cp >> 6))); out.push_back(char(0x80 | (cp & 0x3f))); }
        else if (cp < 0x10000) { out.push_back(char(0xE0 | (cp >> 12))); out.push_back(char(0x80 | ((cp >> 6) & 0x3f))); out.push_back(char(0x80 | (cp & 0x3f))); }
        else { out.push_back(char(0xF0 | (cp >> 18))); out.push_back(char(0x80 | ((cp >> 12) & 0x3f))); out.push_back(char(0x80 | ((cp >> 6) & 0x3f))); out.push_back(char(0x80 | (cp & 0x3f))); }
    }
    return out;
}

static std::string u8z(const WCHAR_T* p) {
    if (!p) return "<null>";
    size_t n = 0;
    while (p[n]) n++;
    return u8(p, n);
}

// ---------------------------------------------------------------- portability
// Loading the component, sockets for the sandbox's control API and the service of this test,
// and files. On Windows every path is UTF-8 here and UTF-16 at the system (the _w* and *W
// functions), so the temporary folders' Cyrillic names reach the component as the
// platform would pass them.
#ifdef _WIN32
typedef SOCKET sock_t;
static const sock_t BAD_SOCK = INVALID_SOCKET;
static void sock_close(sock_t fd) { closesocket(fd); }
static long sock_read(sock_t fd, char* buf, size_t n) { return recv(fd, buf, int(n), 0); }
static long sock_write(sock_t fd, const char* buf, size_t n) { return send(fd, buf, int(n), 0); }
static bool sock_wait_readable(sock_t fd, int ms) {
    WSAPOLLFD p{fd, POLLRDNORM, 0};
    return WSAPoll(&p, 1, ms) > 0;
}
static void sock_set_recv_timeout(sock_t fd, int seconds) {
    DWORD ms = DWORD(seconds) * 1000;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, reinterpret_cast<const char*>(&ms), sizeof ms);
}
static std::wstring wide(const std::string& s) {
    std::wstring out(size_t(MultiByteToWideChar(CP_UTF8, 0, s.data(), int(s.size()), nullptr, 0)), L'\0');
    MultiByteToWideChar(CP_UTF8, 0, s.data(), int(s.size()), &out[0], int(out.size()));
    return out;
}
static std::string narrow(const wchar_t* w) {
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, nullptr, 0, nullptr, nullptr);
    std::string out(size_t(n > 0 ? n - 1 : 0), '\0');
    if (n > 1) WideCharToMultiByte(CP_UTF8, 0, w, -1, &out[0], n, nullptr, nullptr);
    return out;
}
static FILE* file_open(const std::string& path, const char* mode) { return _wfopen(wide(path).c_str(), wide(mode).c_str()); }
static int file_remove(const std::string& path) { return _wremove(wide(path).c_str()); }
static int dir_remove(const std::string& path) { return _wrmdir(wide(path).c_str()); }
static std::vector<std::string> dir_list(const std::string& path) {
    std::vector<std::string> out;
    WIN32_FIND_DATAW fd;
    HANDLE h = FindFirstFileW(wide(path + "/*").c_str(), &fd);
    if (h == INVALID_HANDLE_VALUE) return out;
    do out.push_back(narrow(fd.cFileName));
    while (FindNextFileW(h, &fd));
    FindClose(h);
    return out;
}
// The user's temporary folder (GetTempPathW), with forward slashes as everywhere here.
static std::string temp_base() {
    wchar_t buf[MAX_PATH + 1];
    DWORD n = GetTempPathW(MAX_PATH + 1, buf);
    std::string out = n ? narrow(buf) : std::string("C:/");
    for (auto& c : out) if (c == '\\') c = '/';
    if (out.back() != '/') out += '/';
    return out;
}
static long process_id() { return long(GetCurrentProcessId()); }
static bool make_dir(const std::string& path) { return CreateDirectoryW(wide(path).c_str(), nullptr) != 0; }
static void* lib_open(const char* path) { return reinterpret_cast<void*>(LoadLibraryW(wide(path).c_str())); }
static std::string lib_error() { return "LoadLibraryW error " + std::to_string(GetLastError()); }
static void* lib_sym(void* lib, const char* name) { return reinterpret_cast<void*>(GetProcAddress(reinterpret_cast<HMODULE>(lib), name)); }
#else
typedef int sock_t;
static const sock_t BAD_SOCK = -1;
static void sock_close(sock_t fd) { close(fd); }
static long sock_read(sock_t fd, char* buf, size_t n) { return long(read(fd, buf, n)); }
static long sock_write(sock_t fd, const char* buf, size_t n) { return long(send(fd, buf, n, MSG_NOSIGNAL)); }
static bool sock_wait_readable(sock_t fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, ms) > 0;
}
static void sock_set_recv_timeout(sock_t fd, int seconds) {
    timeval tv{seconds, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}
static FILE* file_open(const std::string& path, const char* mode) { return fopen(path.c_str(), mode); }
static int file_remove(const std::string& path) { return remove(path.c_str()); }
static int dir_remove(const std::string& path) { return rmdir(path.c_str()); }
static std::vector<std::string> dir_list(const std::string& path) {
    std::vector<std::string> out;
    if (DIR* dd = opendir(path.c_str())) {
        while (dirent* e = readdir(dd)) out.push_back(e->d_name);
        closedir(dd);
    }
    return out;
}
static std::string temp_base() { return "/tmp/"; }
static long process_id() { return long(getpid()); }
static bool make_dir(const std::string& path) { return mkdir(path.c_str(), 0700) == 0; }
static void* lib_open(const char* path) { return dlopen(path, RTLD_NOW | RTLD_LOCAL); }
static std::string lib_error() { return dlerror(); }
static void* lib_sym(void* lib, const char* name) { return dlsym(lib, name); }
#endif

// A new folder under the temporary folder, its name `prefix` (Cyrillic letters included)
// and a number: mkdtemp's job, done the same way on both systems.
static std::string make_temp_dir(const std::string& prefix) {
    static std::atomic<unsigned> counter{0};
    for (int attempt = 0; attempt < 100; attempt++) {
        std::string dir = temp_base() + prefix + std::to_string(process_id()) + "-" + std::to_string(counter++);
        if (make_dir(dir)) return dir;
    }
    return "";
}

static std::string shorten(const std::string& s, size_t max = 160) {
    if (s.size() <= max) return s;
    size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) cut--;  // keep UTF-8 whole
    return s.substr(0, cut) + "…(" + std::to_string(s.size()) + " bytes)";
}

// ---------------------------------------------------------------- checks and log
static int g_checks = 0;
static int g_failed = 0;

#ifdef _WIN32
// mingw's own printf (__USE_MINGW_ANSI_STDIO) knows %zu and %lld, as glibc's does.
static void logf(const char* fmt, ...) __attribute__((format(gnu_printf, 1, 2)));
#else
static void logf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
#endif
static void logf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

#define EXPECT(cond, ...)                                            \
    do {                                                             \
        g_checks++;                                                  \
        if (cond) {                                                  \
            printf("  ok   ");                                       \
        } else {                                                     \
            g_failed++;                                              \
            printf("  FAIL ");                                       \
        }                                                            \
        logf(__VA_ARGS__);                                           \
    } while (0)

// ---------------------------------------------------------------- platform stubs
class MemoryManager : public IMemoryManager {
public:
    std::atomic<long> live{0};
    std::atomic<long> total{0};
    bool ADDIN_API AllocMemory(void** p, unsigned long n) override {
        *p = malloc(n ? n : 1);
        if (!*p) return false;
        live++;
        total++;
        return true;
    }
    void ADDIN_API FreeMemory(void** p) override {
        if (p && *p) {
            free(*p);
            *p = nullptr;
            live--;
        }
    }
};

struct Event {
    std::string source, message, data;
};

struct ErrorRecord {
    unsigned short code;
    std::string source, descr;
    long scode;
};

// The platform interface: records AddError and ExternalEvent. Events go into a queue of
// `depth` places, as the platform's does; an event that does not fit is dropped. The queue
// is emptied only when the host "processes events" (drain), like the platform's main loop.
class Platform : public IAddInDefBaseEx {
public:
    std::mutex mu;
    std::condition_variable cv;
    std::vector<Event> queue;
    std::vector<ErrorRecord> errors;
    long depth = 1;
    long dropped = 0;
    long after_done = 0;  // calls that arrived after Done: must stay 0
    bool done = false;

    bool ADDIN_API AddError(unsigned short wcode, const WCHAR_T* source, const WCHAR_T* descr, long scode) override {
        std::lock_guard<std::mutex> g(mu);
        if (done) { after_done++; return false; }
        errors.push_back({wcode, u8z(source), u8z(descr), scode});
        logf("  [platform] AddError(%u, \"%s\", \"%s\", %ld)", wcode, u8z(source).c_str(), shorten(u8z(descr)).c_str(), scode);
        return true;
    }
    bool ADDIN_API Read(WCHAR_T*, tVariant*, long*, WCHAR_T**) override { return false; }
    bool ADDIN_API Write(WCHAR_T*, tVariant*) override { return false; }
    bool ADDIN_API RegisterProfileAs(WCHAR_T*) override { return false; }
    bool ADDIN_API SetEventBufferDepth(long d) override {
        std::lock_guard<std::mutex> g(mu);
        if (done) { after_done++; return false; }
        logf("  [platform] SetEventBufferDepth(%ld)", d);
        depth = d;
        return true;
    }
    long ADDIN_API GetEventBufferDepth() override {
        std::lock_guard<std::mutex> g(mu);
        if (done) after_done++;
        return depth;
    }
    bool ADDIN_API ExternalEvent(WCHAR_T* source, WCHAR_T* message, WCHAR_T* data) override {
        std::lock_guard<std::mutex> g(mu);
        if (done) { after_done++; return false; }
        if ((long)queue.size() >= depth) {
            dropped++;
            cv.notify_all();
            return false;
        }
        queue.push_back({u8z(source), u8z(message), u8z(data)});
        cv.notify_all();
        return true;
    }
    void ADDIN_API CleanEventBuffer() override {
        std::lock_guard<std::mutex> g(mu);
        queue.clear();
    }
    bool ADDIN_API SetStatusLine(WCHAR_T*) override { return true; }
    void ADDIN_API ResetStatusLine() override {}
    void* ADDIN_API GetInterface(int) override { return nullptr; }

    // Waits until `n` events were posted (kept or dropped) or the time runs out.
    bool wait_posted(size_t n, int seconds) {
        std::unique_lock<std::mutex> g(mu);
        return cv.wait_for(g, std::chrono::seconds(seconds), [&] { return queue.size() + dropped >= n; });
    }
    std::vector<Event> drain() {
        std::lock_guard<std::mutex> g(mu);
        std::vector<Event> out;
        out.swap(queue);
        return out;
    }
    size_t error_count() {
        std::lock_guard<std::mutex> g(mu);
        return errors.size();
    }
    ErrorRecord last_error_record() {
        std::lock_guard<std::mutex> g(mu);
        return errors.empty() ? ErrorRecord{0, "", "", 0} : errors.back();
    }
    void mark_done() {
        std::lock_guard<std::mutex> g(mu);
        done = true;
    }
    long late_calls() {
        std::lock_guard<std::mutex> g(mu);
        return after_done;
    }
};

// ---------------------------------------------------------------- the host
struct Exports {
    void* lib = nullptr;
    GetClassNamesFn GetClassNames = nullptr;
    GetClassObjectFn GetClassObject = nullptr;
    DestroyObjectFn DestroyObject = nullptr;
    SetPlatformCapabilitiesFn SetPlatformCapabilities = nullptr;
    GetAttachTypeFn GetAttachType = nullptr;
};

// A value of a call: kind and content, copied out of the tVariant and freed as the platform
// frees it.
struct Value {
    uint16_t vt = VTYPE_EMPTY;
    std::string str;
    bool b = false;
    long long i = 0;
    double d = 0;
};

static Value take(MemoryManager& mm, tVariant& v) {
    Value out;
    out.vt = v.vt;
    switch (v.vt) {
        case VTYPE_PWSTR:
            out.str = u8(v.pwstrVal, v.wstrLen);
            mm.FreeMemory(reinterpret_cast<void**>(&v.pwstrVal));
            break;
        case VTYPE_BOOL: out.b = v.bVal; break;
        case VTYPE_I4: out.i = v.lVal; break;
        case VTYPE_R8: out.d = v.dblVal; break;
        case VTYPE_BLOB: mm.FreeMemory(reinterpret_cast<void**>(&v.pstrVal)); break;
        default: break;
    }
    memset(&v, 0, sizeof v);
    return out;
}

// An argument as BSL would pass it.
struct Arg {
    uint16_t vt;
    std::string s;
    long long i;
    bool b;
    double d;
    static Arg S(const std::string& s) { return {VTYPE_PWSTR, s, 0, false, 0}; }
    static Arg I(long long i) { return {VTYPE_I4, "", i, false, 0}; }
    static Arg B(bool b) { return {VTYPE_BOOL, "", 0, b, 0}; }
    static Arg R(double d) { return {VTYPE_R8, "", 0, false, d}; }
};

static void put(MemoryManager& mm, tVariant& v, const Arg& a) {
    memset(&v, 0, sizeof v);
    v.vt = a.vt;
    switch (a.vt) {
        case VTYPE_PWSTR: {
            std::u16string w = u16(a.s);
            void* p = nullptr;
            mm.AllocMemory(&p, (w.size() + 1) * sizeof(WCHAR_T));
            memcpy(p, w.c_str(), (w.size() + 1) * sizeof(WCHAR_T));
            v.pwstrVal = static_cast<WCHAR_T*>(p);
            v.wstrLen = uint32_t(w.size());
            break;
        }
        case VTYPE_I4: v.lVal = int32_t(a.i); break;
        case VTYPE_BOOL: v.bVal = a.b; break;
        case VTYPE_R8: v.dblVal = a.d; break;
    }
}

static void clear(MemoryManager& mm, tVariant& v) {
    if (v.vt == VTYPE_PWSTR && v.pwstrVal) mm.FreeMemory(reinterpret_cast<void**>(&v.pwstrVal));
    if (v.vt == VTYPE_BLOB && v.pstrVal) mm.FreeMemory(reinterpret_cast<void**>(&v.pstrVal));
    memset(&v, 0, sizeof v);
}

static std::string describe(const Value& v) {
    switch (v.vt) {
        case VTYPE_EMPTY: return "Неопределено";
        case VTYPE_PWSTR: return "\"" + shorten(v.str) + "\"";
        case VTYPE_BOOL: return v.b ? "Истина" : "Ложь";
        case VTYPE_I4: return std::to_string(v.i);
        case VTYPE_R8: return std::to_string(v.d);
        default: return "vt=" + std::to_string(v.vt);
    }
}

struct Object {
    IComponentBase* base = nullptr;
    MemoryManager* mm = nullptr;
    Platform* platform = nullptr;

    ILanguageExtenderBase* lang() { return static_cast<ILanguageExtenderBase*>(base); }

    long method(const std::string& name) {
        std::u16string w = u16(name);
        return lang()->FindMethod(w.c_str());
    }
    long prop(const std::string& name) {
        std::u16string w = u16(name);
        return lang()->FindProp(w.c_str());
    }

    // A call as the platform makes it: look the method up, fill omitted parameters with
    // their defaults (GetParamDefValue), CallAsFunc (or CallAsProc), free what came back.
    bool call(const std::string& name, const std::vector<Arg>& args, Value* ret, bool as_proc = false) {
        long m = method(name);
        if (m < 0) {
            logf("  call %s: FindMethod -> -1", name.c_str());
            return false;
        }
        long n = lang()->GetNParams(m);
        std::vector<tVariant> params(size_t(n > 0 ? n : 0));
        for (long k = 0; k < n; k++) {
            if (size_t(k) < args.size()) {
                put(*mm, params[k], args[k]);
            } else {
                memset(&params[k], 0, sizeof(tVariant));
                if (!lang()->GetParamDefValue(m, k, &params[k])) {
                    logf("  call %s: parameter %ld has no default", name.c_str(), k + 1);
                }
            }
        }
        tVariant r;
        memset(&r, 0, sizeof r);
        bool ok;
        if (as_proc) {
            ok = lang()->CallAsProc(m, n ? params.data() : nullptr, n);
        } else {
            ok = lang()->CallAsFunc(m, &r, n ? params.data() : nullptr, n);
        }
        Value v = take(*mm, r);
        for (auto& p : params) clear(*mm, p);
        if (ret) *ret = v;
        std::string shown;
        for (size_t k = 0; k < args.size(); k++) {
            if (k) shown += ", ";
            Value a;
            a.vt = args[k].vt;
            a.str = args[k].s;
            a.i = args[k].i;
            a.b = args[k].b;
            a.d = args[k].d;
            shown += describe(a);
        }
        logf("  %s %s(%s) -> %s%s", as_proc ? "CallAsProc" : "CallAsFunc", name.c_str(), shown.c_str(), ok ? "true" : "false",
             ok && !as_proc ? (", " + describe(v)).c_str() : "");
        return ok;
    }

    bool get(const std::string& name, Value* out) {
        long p = prop(name);
        if (p < 0) return false;
        tVariant v;
        memset(&v, 0, sizeof v);
        bool ok = lang()->GetPropVal(p, &v);
        *out = take(*mm, v);
        logf("  GetPropVal(%s) -> %s%s", name.c_str(), ok ? "true" : "false", ok ? (", " + describe(*out)).c_str() : "");
        return ok;
    }

    bool set(const std::string& name, const Arg& a, bool secret = false) {
        long p = prop(name);
        if (p < 0) return false;
        tVariant v;
        put(*mm, v, a);
        bool ok = lang()->SetPropVal(p, &v);
        clear(*mm, v);
        Value shown;
        shown.vt = a.vt;
        shown.str = secret ? "***" : a.s;
        shown.i = a.i;
        shown.d = a.d;
        shown.b = a.b;
        logf("  SetPropVal(%s, %s) -> %s", name.c_str(), describe(shown).c_str(), ok ? "true" : "false");
        return ok;
    }

    std::string last_error() {
        Value v;
        get("ПоследняяОшибка", &v);
        return v.str;
    }

    // A call whose parameters are given as raw tVariants (NULL pointers included); the
    // omitted ones take their defaults. Nothing in `raw` is freed: it owns no memory.
    bool call_raw(long m, const std::vector<tVariant>& raw, Value* ret) {
        long n = lang()->GetNParams(m);
        std::vector<tVariant> params(size_t(n > 0 ? n : 0));
        for (long k = 0; k < n; k++) {
            if (size_t(k) < raw.size()) {
                params[k] = raw[k];
            } else {
                memset(&params[k], 0, sizeof(tVariant));
                lang()->GetParamDefValue(m, k, &params[k]);
            }
        }
        tVariant r;
        memset(&r, 0, sizeof r);
        bool ok = lang()->CallAsFunc(m, &r, n ? params.data() : nullptr, n);
        Value v = take(*mm, r);
        for (long k = long(raw.size()); k < n; k++) clear(*mm, params[k]);
        if (ret) *ret = v;
        return ok;
    }

    bool set_raw(long p, tVariant v) { return lang()->SetPropVal(p, &v); }
};

// A string or binary tVariant whose pointer is NULL and whose length is 0: what a host may
// pass for an empty value.
static tVariant null_variant(uint16_t vt) {
    tVariant v;
    memset(&v, 0, sizeof v);
    v.vt = vt;
    return v;
}

static std::string read_file(const std::string& path) {
    std::string out;
    if (FILE* f = file_open(path, "rb")) {
        char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
        fclose(f);
    }
    return out;
}

static bool write_file(const std::string& path, const std::string& data) {
    FILE* f = file_open(path, "wb");
    if (!f) return false;
    fwrite(data.data(), 1, data.size(), f);
    return fclose(f) == 0;
}

// ---------------------------------------------------------------- tiny JSON helpers
// Top-level elements of a JSON array, as text.
static std::vector<std::string> array_items(const std::string& s) {
    std::vector<std::string> out;
    int depth = 0;
    bool in_str = false, esc = false;
    size_t start = 0;
    for (size_t i = 0; i < s.size(); i++) {
        char c = s[i];
        if (in_str) {
            if (esc) esc = false;
            else if (c == '\\') esc = true;
            else if (c == '"') in_str = false;
            continue;
        }
        if (c == '"') in_str = true;
        else if (c == '[' || c == '{') {
            if (depth == 1 && c == '{' && start == 0) start = i;
            if (depth == 1 && c == '[' && start == 0) start = i;
            depth++;
        } else if (c == ']' || c == '}') {
            depth--;
            if (depth == 1 && start) {
                out.push_back(s.substr(start, i - start + 1));
                start = 0;
            }
        }
    }
    return out;
}

// The string value of "key" in a flat JSON object (first occurrence).
static std::string str_field(const std::string& obj, const std::string& key) {
    std::string pat = "\"" + key + "\":\"";
    size_t p = obj.find(pat);
    if (p == std::string::npos) return "";
    std::string out;
    for (size_t i = p + pat.size(); i < obj.size(); i++) {
        if (obj[i] == '\\' && i + 1 < obj.size()) { out.push_back(obj[++i]); continue; }
        if (obj[i] == '"') break;
        out.push_back(obj[i]);
    }
    return out;
}

static long long int_field(const std::string& obj, const std::string& key, long long dflt = -1) {
    std::string pat = "\"" + key + "\":";
    size_t p = obj.find(pat);
    if (p == std::string::npos) return dflt;
    return atoll(obj.c_str() + p + pat.size());
}

static bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }


// A minimal HTTP/1.1 client for the sandbox's control API (loopback only): returns
// "STATUS BODY" ("0 " when the request failed).
static std::string http(const std::string& service_url, const std::string& method, const std::string& path, const std::string& body) {
    // service_url: http://127.0.0.1:PORT/carreta/v1/
    size_t host_at = service_url.find("://");
    if (host_at == std::string::npos) return "0 ";
    host_at += 3;
    size_t colon = service_url.find(':', host_at);
    size_t slash = service_url.find('/', host_at);
    std::string host = service_url.substr(host_at, colon - host_at);
    int port = atoi(service_url.substr(colon + 1, slash - colon - 1).c_str());
    sock_t fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd == BAD_SOCK) return "0 ";
    sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        sock_close(fd);
        return "0 ";
    }
    // HTTP/1.0: the answer is never chunked, so the body is simply what follows the headers.
    std::string req = method + " " + path + " HTTP/1.0\r\nHost: " + host + "\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body;
    size_t sent = 0;
    while (sent < req.size()) {
        long n = sock_write(fd, req.data() + sent, req.size() - sent);
        if (n <= 0) break;
        sent += size_t(n);
    }
    std::string resp;
    char buf[4096];
    long n;
    while ((n = sock_read(fd, buf, sizeof buf)) > 0) resp.append(buf, size_t(n));
    sock_close(fd);
    if (resp.compare(0, 7, "HTTP/1.") != 0 || resp.size() < 12) return "0 ";
    size_t body_at = resp.find("\r\n\r\n");
    return resp.substr(9, 3) + " " + (body_at == std::string::npos ? "" : resp.substr(body_at + 4));
}

// ---------------------------------------------------------------- a service of this test
// TinyServer answers the rows of the `onectest` service (declared below, in session 4) on
// a loopback port chosen by the system: one thread, one request per connection
// (`Connection: close`), answers by method and path, checks the bearer token, and records
// every request it saw.
struct Seen {
    std::string method, target, auth, body;
};

static std::string lower(std::string s) {
    for (auto& c : s) c = char(tolower(static_cast<unsigned char>(c)));
    return s;
}

class TinyServer {
public:
    int port = 0;

    bool start(const std::string& token) {
        token_ = token;
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ == BAD_SOCK) return false;
        int one = 1;
        setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const char*>(&one), sizeof one);
        sockaddr_in addr;
        memset(&addr, 0, sizeof addr);
        addr.sin_family = AF_INET;
        addr.sin_port = 0;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 16) != 0 ||
            getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            sock_close(fd_);
            fd_ = BAD_SOCK;
            return false;
        }
        port = ntohs(addr.sin_port);
        thread_ = std::thread([this] { loop(); });
        return true;
    }

    void stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        if (fd_ != BAD_SOCK) sock_close(fd_);
        fd_ = BAD_SOCK;
    }

    // The requests seen since the last call.
    std::vector<Seen> take() {
        std::lock_guard<std::mutex> g(mu_);
        std::vector<Seen> out;
        out.swap(seen_);
        return out;
    }

private:
    sock_t fd_ = BAD_SOCK;
    std::string token_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::mutex mu_;
    std::vector<Seen> seen_;

    void loop() {
        while (!stop_) {
            if (!sock_wait_readable(fd_, 100)) continue;
            sock_t c = accept(fd_, nullptr, nullptr);
            if (c == BAD_SOCK) continue;
            sock_set_recv_timeout(c, 5);
            serve(c);
            sock_close(c);
        }
    }

    void serve(sock_t c) {
        std::string in;
        char buf[4096];
        size_t head_end;
        while ((head_end = in.find("\r\n\r\n")) == std::string::npos) {
            long n = sock_read(c, buf, sizeof buf);
            if (n <= 0) return;
            in.append(buf, size_t(n));
        }
        Seen s;
        size_t line_end = in.find("\r\n");
        std::string line = in.substr(0, line_end);
        size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
        s.method = line.substr(0, sp1);
        s.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
        size_t content_length = 0;
        size_t at = line_end + 2;
        while (at < head_end) {
            size_t e = in.find("\r\n", at);
            std::string h = in.substr(at, e - at);
            at = e + 2;
            size_t colon = h.find(':');
            if (colon == std::string::npos) continue;
            std::string name = lower(h.substr(0, colon)), value = h.substr(colon + 1);
            while (!value.empty() && value[0] == ' ') value.erase(0, 1);
            if (name == "authorization") s.auth = value;
            if (name == "content-length") content_length = size_t(atol(value.c_str()));
        }
        s.body = in.substr(head_end + 4);
        while (s.body.size() < content_length) {
            long n = sock_read(c, buf, sizeof buf);
            if (n <= 0) break;
            s.body.append(buf, size_t(n));
        }
        {
            std::lock_guard<std::mutex> g(mu_);
            seen_.push_back(s);
        }
        std::string status = "200 OK", body;
        std::string path = s.target.substr(0, s.target.find('?'));
        std::string query = s.target.find('?') == std::string::npos ? "" : s.target.substr(s.target.find('?') + 1);
        const std::string items = "/api/items";
        if (s.auth != "Bearer " + token_) {
            status = "401 Unauthorized";
            body = "{\"error\":\"bad token\"}";
        } else if (s.method == "GET" && path.compare(0, items.size() + 1, items + "/") == 0) {
            std::string id = path.substr(items.size() + 1);
            body = "{\"id\":" + id + ",\"name\":\"Item " + id + "\"}";
        } else if (s.method == "GET" && path == items) {
            // One item per `tag` of the query, in order.
            body = "[";
            int n = 0;
            size_t from = 0;
            while (from <= query.size() && !query.empty()) {
                size_t amp = query.find('&', from);
                std::string pair = query.substr(from, amp == std::string::npos ? std::string::npos : amp - from);
                if (pair.compare(0, 4, "tag=") == 0) {
                    body += std::string(n ? "," : "") + "{\"id\":" + std::to_string(n + 1) + ",\"tag\":\"" + pair.substr(4) + "\"}";
                    n++;
                }
                if (amp == std::string::npos) break;
                from = amp + 1;
            }
            body += "]";
        } else if (s.method == "POST" && path == items) {
            status = "201 Created";
            body = "{\"id\":7,\"received\":" + (s.body.empty() ? std::string("null") : s.body) + "}";
        } else {
            status = "404 Not Found";
            body = "{\"error\":\"no route " + s.method + " " + path + "\"}";
        }
        std::string out = "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body;
        size_t sent = 0;
        while (sent < out.size()) {
            long n = sock_write(c, out.data() + sent, out.size() - sent);
            if (n <= 0) break;
            sent += size_t(n);
        }
    }
};

// ---------------------------------------------------------------- steps
static bool load(const char* path, Exports& ex) {
#ifdef _WIN32
    logf("== LoadLibraryW(%s)", path);
#else
    logf("== dlopen(%s, RTLD_NOW | RTLD_LOCAL)", path);
#endif
    ex.lib = lib_open(path);
    EXPECT(ex.lib != nullptr, "library loaded%s%s", ex.lib ? "" : ": ", ex.lib ? "" : lib_error().c_str());
    if (!ex.lib) return false;
    ex.GetClassNames = reinterpret_cast<GetClassNamesFn>(lib_sym(ex.lib, "GetClassNames"));
    ex.GetClassObject = reinterpret_cast<GetClassObjectFn>(lib_sym(ex.lib, "GetClassObject"));
    ex.DestroyObject = reinterpret_cast<DestroyObjectFn>(lib_sym(ex.lib, "DestroyObject"));
    ex.SetPlatformCapabilities = reinterpret_cast<SetPlatformCapabilitiesFn>(lib_sym(ex.lib, "SetPlatformCapabilities"));
    ex.GetAttachType = reinterpret_cast<GetAttachTypeFn>(lib_sym(ex.lib, "GetAttachType"));
    EXPECT(ex.GetClassNames && ex.GetClassObject && ex.DestroyObject && ex.SetPlatformCapabilities && ex.GetAttachType,
           "the five exports: GetClassNames GetClassObject DestroyObject SetPlatformCapabilities GetAttachType");
    return ex.GetClassNames && ex.GetClassObject && ex.DestroyObject && ex.SetPlatformCapabilities && ex.GetAttachType;
}

static bool create(Exports& ex, MemoryManager& mm, Platform& pl, bool mem_first, Object& obj, const std::string& class_name = "Carreta") {
    std::u16string cls = u16(class_name);
    IComponentBase* base = nullptr;
    long r = ex.GetClassObject(cls.c_str(), &base);
    EXPECT(r != 0 && base != nullptr, "GetClassObject(\"%s\") -> %ld", class_name.c_str(), r);
    if (!base) return false;
    obj.base = base;
    obj.mm = &mm;
    obj.platform = &pl;
    IInitDoneBase* init = static_cast<IInitDoneBase*>(base);
    if (mem_first) {
        EXPECT(init->setMemManager(&mm), "setMemManager (before Init)");
        EXPECT(init->Init(static_cast<IAddInDefBase*>(&pl)), "Init (after setMemManager)");
    } else {
        EXPECT(init->Init(static_cast<IAddInDefBase*>(&pl)), "Init (before setMemManager)");
        EXPECT(init->setMemManager(&mm), "setMemManager (after Init)");
    }
    long info = init->GetInfo();
    EXPECT(info == 2000, "GetInfo -> %ld", info);
    static_cast<LocaleBase*>(base)->SetLocale(u"ru_RU");
    static_cast<UserLanguageBase*>(base)->SetUserInterfaceLanguageCode(u"ru");
    logf("  SetLocale(\"ru_RU\"), SetUserInterfaceLanguageCode(\"ru\")");
    WCHAR_T* ext = nullptr;
    bool ok = obj.lang()->RegisterExtensionAs(&ext);
    std::string name = u8z(ext);
    EXPECT(ok && name == class_name, "RegisterExtensionAs -> \"%s\" (BSL: Новый(\"AddIn.LogiBridge.%s\"))", name.c_str(), name.c_str());
    if (ext) mm.FreeMemory(reinterpret_cast<void**>(&ext));
    return true;
}

static void destroy(Exports& ex, Platform& pl, Object& obj) {
    static_cast<IInitDoneBase*>(obj.base)->Done();
    pl.mark_done();
    logf("  Done");
    long r = ex.DestroyObject(&obj.base);
    EXPECT(r == 0 && obj.base == nullptr, "DestroyObject -> %ld", r);
}

static void describe_interface(Object& obj, long min_methods = 8) {
    logf("== the interface, both names of every property and method");
    MemoryManager& mm = *obj.mm;
    long np = obj.lang()->GetNProps();
    EXPECT(np >= 5, "GetNProps -> %ld", np);
    for (long i = 0; i < np; i++) {
        WCHAR_T* en = const_cast<WCHAR_T*>(obj.lang()->GetPropName(i, 0));
        WCHAR_T* ru = const_cast<WCHAR_T*>(obj.lang()->GetPropName(i, 1));
        std::string e = u8z(en), r = u8z(ru);
        bool rd = obj.lang()->IsPropReadable(i), wr = obj.lang()->IsPropWritable(i);
        long by_en = obj.prop(e), by_ru = obj.prop(r);
        std::string lower = e;
        for (auto& c : lower) c = char(tolower(c));
        long by_lower = obj.prop(lower);
        EXPECT(by_en == i && by_ru == i && by_lower == i, "property %ld: %s / %s  readable=%d writable=%d  (FindProp en=%ld ru=%ld lower-case=%ld)",
               i, r.c_str(), e.c_str(), rd, wr, by_en, by_ru, by_lower);
        if (en) mm.FreeMemory(reinterpret_cast<void**>(&en));
        if (ru) mm.FreeMemory(reinterpret_cast<void**>(&ru));
    }
    long nm = obj.lang()->GetNMethods();
    EXPECT(nm >= min_methods, "GetNMethods -> %ld", nm);
    for (long i = 0; i < nm; i++) {
        WCHAR_T* en = const_cast<WCHAR_T*>(obj.lang()->GetMethodName(i, 0));
        WCHAR_T* ru = const_cast<WCHAR_T*>(obj.lang()->GetMethodName(i, 1));
        std::string e = u8z(en), r = u8z(ru);
        long n = obj.lang()->GetNParams(i);
        bool hr = obj.lang()->HasRetVal(i);
        std::string defs;
        for (long k = 0; k < n; k++) {
            tVariant v;
            memset(&v, 0, sizeof v);
            if (obj.lang()->GetParamDefValue(i, k, &v)) {
                Value d = take(mm, v);
                defs += " p" + std::to_string(k + 1) + "=" + describe(d);
            }
        }
        EXPECT(obj.method(e) == i && obj.method(r) == i && hr, "method %ld: %s / %s  params=%ld HasRetVal=%d defaults:%s", i, r.c_str(),
               e.c_str(), n, hr, defs.empty() ? " none" : defs.c_str());
        if (en) mm.FreeMemory(reinterpret_cast<void**>(&en));
        if (ru) mm.FreeMemory(reinterpret_cast<void**>(&ru));
    }
    EXPECT(obj.method("НетТакогоМетода") == -1 && obj.prop("NoSuchProperty") == -1, "unknown names -> -1");
}

// ---------------------------------------------------------------- session 7: Ireca
// The class generated for iRECA Courier (AddIn.LogiBridge.Ireca) against the sandbox's
// emulator: its properties, a representative set of methods by both names, then every id
// of its table through Вызвать, the callback parsers, the errors, and the token never shown.

// Every Ireca row of Методы(): id and 1C names, in table order.
struct IrecaRow {
    std::string id, ru, en;
};

static std::vector<IrecaRow> ireca_rows(const std::string& table) {
    std::vector<IrecaRow> rows;
    const std::string start = "{\"id\":\"ireca.";
    for (size_t at = table.find(start); at != std::string::npos;) {
        size_t next = table.find(start, at + 1);
        std::string row = table.substr(at, next == std::string::npos ? std::string::npos : next - at);
        rows.push_back({str_field(row, "id"), str_field(row, "onec_ru"), str_field(row, "onec_en")});
        at = next;
    }
    return rows;
}

// text as a JSON string literal.
static std::string json_quote(const std::string& text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += char(c);
        } else if (c < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            out += esc;
        } else {
            out += char(c);
        }
    }
    return out + "\"";
}

static void ireca_session(Exports& ex) {
    logf("== session 7: Ireca — iRECA Courier against the sandbox (AddIn.LogiBridge.Ireca)");
    const char* url_env = getenv("LB_IRECA_URL");
    const char* token_env = getenv("LB_IRECA_TOKEN");
    EXPECT(url_env && token_env, "LB_IRECA_URL and LB_IRECA_TOKEN are set (tests/onec/run.sh)");
    if (!url_env || !token_env) return;
    const std::string url = url_env, token = token_env;
    const std::string run = std::to_string(7000000 + process_id() % 1000000);
    std::string shown;  // every value and error text the component gave: the token is in none

    MemoryManager mm;
    Platform pl;
    Object ir;
    if (!create(ex, mm, pl, true, ir, "Ireca")) return;
    describe_interface(ir, 93 + 4);

    logf("== Ireca: properties");
    Value v;
    EXPECT(ir.get("АдресСервиса", &v) && v.str == "https://api-courier-ireca.softbalance.ru/api/v1/", "АдресСервиса defaults to the production URL");
    EXPECT(ir.set("BaseUrl", Arg::S(url)) && ir.get("АдресСервиса", &v) && v.str == url, "BaseUrl = the sandbox (%s)", url.c_str());
    long tp = ir.prop("Токен");
    EXPECT(tp >= 0 && tp == ir.prop("Token") && !ir.lang()->IsPropReadable(tp) && ir.lang()->IsPropWritable(tp),
           "Токен / Token: a write-only property");
    size_t errs = pl.error_count();
    EXPECT(!ir.get("Token", &v) && v.vt == VTYPE_EMPTY && pl.error_count() == errs + 1, "reading Token fails and shows nothing");
    EXPECT(ir.prop("КлючAPI") == -1 && ir.prop("Аккаунт") == -1, "no КлючAPI or Аккаунт: those are Carreta's");
    bool refused = !ir.call("Налоги", {}, &v);
    std::string le = ir.last_error();
    EXPECT(refused && has(le, "\"field\":\"token\"") && has(le, "Токен"), "a call before Токен is set -> false, naming Токен: %s", shorten(le, 200).c_str());
    EXPECT(ir.set("Токен", Arg::S(token), true), "Токен set");

    logf("== Ireca: every row is a method by both names (Методы() is the table)");
    Value table;
    EXPECT(ir.call("Методы", {}, &table) && has(table.str, "\"prefix\":\"ireca\""), "Методы() describes iRECA (%zu bytes)", table.str.size());
    std::vector<IrecaRow> rows = ireca_rows(table.str);
    EXPECT(rows.size() == 93, "93 rows in the table (%zu)", rows.size());
    int both = 0;
    std::vector<long> taken;
    for (const IrecaRow& r : rows) {
        long by_ru = ir.method(r.ru), by_en = ir.method(r.en), by_lower = ir.method(lower(r.en));
        bool unique = by_ru >= 0 && std::find(taken.begin(), taken.end(), by_ru) == taken.end();
        if (by_ru >= 0) taken.push_back(by_ru);
        if (unique && by_ru == by_en && by_ru == by_lower) both++;
        else logf("  FAIL %s: %s -> %ld, %s -> %ld", r.id.c_str(), r.ru.c_str(), by_ru, r.en.c_str(), by_en);
    }
    EXPECT(both == 93, "%d of 93 rows found by their Russian, English and lower-case names, each its own method", both);
    struct Params {
        const char* ru;
        const char* en;
        long n;
    };
    const Params arity[] = {{"СоздатьТовары", "CreateGoods", 1},         {"ПолучитьТовар", "GetGood", 1},
                            {"Товары", "Goods", 2},                      {"ИзменитьТовар", "UpdateGood", 2},
                            {"УдалитьПричинуВозврата", "DeleteReturnReason", 1}, {"СоздатьЗаказыНаВозврат", "CreateRefundOrders", 1},
                            {"Местоположения", "Locations", 4},          {"ЖурналИзменений", "ChangeJournal", 4},
                            {"НастройкиПечка54", "Pechka54Settings", 0}, {"РазобратьОповещениеОЗаказах", "ParseOrderCallback", 1},
                            {"РазобратьОповещениеОСеансе", "ParseSessionCallback", 1}, {"ПроверитьСуммыЗаказа", "LintOrder", 1}};
    for (const Params& p : arity) {
        long m = ir.method(p.ru);
        long n = m >= 0 ? ir.lang()->GetNParams(m) : -1;
        EXPECT(m >= 0 && m == ir.method(p.en) && n == p.n, "%s / %s: %ld parameter(s)", p.ru, p.en, n);
    }

    logf("== Ireca: the integration order, by method names");
    EXPECT(ir.call("Налоги", {}, &v) && has(v.str, "\"title\":\"20%\""), "Налоги(): the taxes to map");
    shown += v.str;
    EXPECT(ir.call("PaymentTypes", {Arg::I(0), Arg::I(500)}, &v) && has(v.str, "\"title\":\"Наличные\""), "PaymentTypes(0, 500)");
    shown += v.str;
    EXPECT(ir.call("ПричиныВозврата", {}, &v) && has(v.str, "Товар испорчен"), "ПричиныВозврата()");
    shown += v.str;
    EXPECT(ir.call("УстановитьОбработчикЗаказов", {Arg::S("{\"url\":\"http://127.0.0.1:9/1c/orders\",\"isActive\":0}")}, &v) && v.str == "null",
           "УстановитьОбработчикЗаказов(settings) -> \"null\" (a 2xx without a body)");
    const std::string good = run + "01";
    EXPECT(ir.call("СоздатьТовары", {Arg::S("[{\"goodId\":\"" + good + "\",\"parentId\":null,\"taxId\":\"8286\",\"title\":\"Чай\",\"price\":\"99.90\"}]")}, &v) &&
               v.str == "null",
           "СоздатьТовары([good %s])", good.c_str());
    EXPECT(ir.call("GetGood", {Arg::S(good)}, &v) && has(v.str, "\"title\":\"Чай\"") && has(v.str, "\"price\":99.9") && has(v.str, "\"parentId\":null"), "GetGood(\"%s\") returns it: %s",
           good.c_str(), shorten(v.str, 120).c_str());
    shown += v.str;
    EXPECT(ir.call("ИзменитьТовар", {Arg::I(atoll(good.c_str())), Arg::S("{\"title\":\"Чай зелёный\"}")}, &v), "ИзменитьТовар(%s as a number, changes)",
           good.c_str());
    EXPECT(ir.call("ПолучитьТовар", {Arg::S(good)}, &v) && has(v.str, "Чай зелёный"), "ПолучитьТовар: the new title");
    EXPECT(ir.call("Goods", {Arg::I(0), Arg::I(500)}, &v) && has(v.str, good), "Goods(0, 500) lists it");
    EXPECT(ir.call("DeleteGood", {Arg::S(good)}, &v) && ir.call("ПолучитьТовар", {Arg::S(good)}, &v) && has(v.str, "\"isActive\":0"),
           "DeleteGood: a soft delete, isActive 0");

    const std::string order = "1C-" + run + "-1", refund = "1C-" + run + "-R";
    const std::string order_json = "{\"orderId\":\"" + order +
                                   "\",\"statusId\":0,\"deliveryStatusId\":6,\"courierId\":\"55752\",\"paymentId\":\"4113\",\"amountToPay\":\"539.780\","
                                   "\"deliveryTimeFrom\":\"2021-05-15T16:21:13+03:00\",\"deliveryTimeTo\":\"2021-05-15T15:21:13Z\","
                                   "\"addressToEntity\":{\"city\":\"Санкт-Петербург\",\"street\":\"Чкаловский пр.\",\"home\":\"15\",\"isUseGoogleGeo\":true},"
                                   "\"goods\":[{\"goodId\":\"355864\",\"count\":1,\"price\":539.78,\"total\":539.78,\"discountTotal\":0}]}";
    EXPECT(ir.call("СоздатьЗаказы", {Arg::S("[" + order_json + "]")}, &v), "СоздатьЗаказы([order %s])", order.c_str());
    EXPECT(ir.call("ПолучитьЗаказ", {Arg::S(order)}, &v) && has(v.str, "\"deliveryTimeFrom\":\"2021-05-15T13:21:13Z\"") && has(v.str, "\"amountToPay\":539.78"),
           "ПолучитьЗаказ: +03:00 sent in GMT+0, \"539.780\" the same amount");
    shown += v.str;
    EXPECT(ir.call("ПроверитьСуммыЗаказа", {Arg::S(order_json)}, &v) && v.str == "[]", "ПроверитьСуммыЗаказа(order) -> [] (its sums add up)");
    EXPECT(ir.call("LintOrder", {Arg::S("{\"amountToPay\":100,\"goods\":[{\"count\":2,\"price\":10,\"total\":25,\"discountTotal\":0}]}")}, &v) &&
               has(v.str, "\"code\":\"ireca.line_total\"") && has(v.str, "\"code\":\"ireca.amount_to_pay\""),
           "LintOrder: two findings, not an error: %s", shorten(v.str, 160).c_str());
    for (const char* action : {"take", "deliver", "close"}) {
        std::string got = http(url, "POST", "/_control/ireca/courier", std::string("{\"orderId\":\"") + order + "\",\"action\":\"" + action + "\"}");
        EXPECT(got.compare(0, 3, "200") == 0, "the sandbox's courier: %s", action);
    }
    EXPECT(ir.call("ЧекОплаты", {Arg::S(order)}, &v) && has(v.str, "\"serialNumber\":\"00106708870617\""), "ЧекОплаты: the receipt printed at close");
    EXPECT(ir.call("OrderStatusJournal", {Arg::S(order)}, &v) && array_items(v.str).size() == 4, "OrderStatusJournal: 6, 7, 9, 10 (%zu entries)",
           array_items(v.str).size());
    const std::string refund_json = "{\"orderId\":\"" + refund +
                                    "\",\"statusId\":1,\"deliveryStatusId\":6,\"courierId\":\"55752\",\"paymentId\":\"4113\",\"amountToPay\":179.5,"
                                    "\"deliveryTimeFrom\":\"2021-05-16T10:00:00Z\",\"deliveryTimeTo\":\"2021-05-16T12:00:00Z\",\"addressTo\":\"Москва\","
                                    "\"goods\":[{\"goodId\":\"355866\",\"count\":1,\"price\":179.5,\"total\":179.5,\"discountTotal\":0}],"
                                    "\"payments\":[{\"paymentTypeId\":\"4113\",\"amount\":179.5}]}";
    EXPECT(ir.call("CreateRefundOrders", {Arg::S("[" + refund_json + "]")}, &v) && ir.call("GetOrder", {Arg::S(refund)}, &v) && has(v.str, "\"isRefund\":true"),
           "CreateRefundOrders: a refund order (isRefund)");
    for (const char* action : {"take", "close"}) http(url, "POST", "/_control/ireca/courier", std::string("{\"orderId\":\"") + refund + "\",\"action\":\"" + action + "\"}");
    EXPECT(ir.call("ЧекВозврата", {Arg::S(refund)}, &v) && has(v.str, "\"orderId\":\"" + refund + "\""), "ЧекВозврата: the refund receipt");

    logf("== Ireca: the callback parsers");
    const std::string cb = "{\"items\":[{\"orderId\":\"209900\",\"amountToPay\":\"679.570\",\"isAgreed\":\"1\",\"deliveryTimeFrom\":\"2021-05-15 13:21:13\"}]}";
    EXPECT(ir.call("РазобратьОповещениеОЗаказах", {Arg::S(cb)}, &v) && has(v.str, "\"orderId\":\"209900\"") && has(v.str, "\"amountToPay\":679.57"),
           "РазобратьОповещениеОЗаказах(body): the orders, \"679.570\" read exactly: %s", shorten(v.str, 160).c_str());
    EXPECT(ir.call("ParseSessionCallback", {Arg::S("{\"sessionId\":1,\"courierId\":27,\"deviceId\":\"3ebf391b3c596bc8\",\"sessionFinishAt\":\"2017-05-15 20:21:13\"}")}, &v) &&
               has(v.str, "\"deviceId\":\"3ebf391b3c596bc8\"") && has(v.str, "\"sessionFinishAt\":\"2017-05-15T20:21:13Z\""),
           "ParseSessionCallback(body): the closed session");
    EXPECT(!ir.call("РазобратьОповещениеОЗаказах", {Arg::S("not json")}, &v) && has(ir.last_error(), "\"kind\":\"decode\""),
           "a body that is not JSON -> false, kind decode");

    logf("== Ireca: refused before sending, with ПоследняяОшибка");
    http(url, "DELETE", "/_control/requests", "");
    refused = !ir.call("ИзменитьЗаказы", {Arg::S("{\"orderIds\":[\"" + order + "\"],\"attributes\":{\"amountToPay\":5}}")}, &v);
    le = ir.last_error();
    shown += le;
    EXPECT(refused && has(le, "\"field\":\"update\"") && has(le, "amountToPay") && has(le, "параметр «Изменения» метода ИзменитьЗаказы"),
           "ИзменитьЗаказы with amountToPay (outside the seven) -> false: %s", shorten(le, 300).c_str());
    ErrorRecord er = pl.last_error_record();
    EXPECT(er.source == "LogiBridge.Ireca" && has(er.descr, "amountToPay"), "AddError: %s, \"%s\"", er.source.c_str(), shorten(er.descr).c_str());
    refused = !ir.call("СоздатьКлиенты", {Arg::S("[{\"clientId\":\"" + run + "\",\"title\":\"x\",\"firstname\":\"a\",\"lastname\":\"b\",\"birthday\":\"1990-01-01\",\"inn\":\"7707083894\"}]")}, &v);
    le = ir.last_error();
    shown += le;
    EXPECT(refused && has(le, "\"code\":\"inn.checksum\"") && has(le, "\"field\":\"items[0].inn\"") && has(le, "\"kind\":\"validation\"") && has(le, "ИНН"),
           "СоздатьКлиенты with a bad INN checksum -> false: %s", shorten(le, 300).c_str());
    refused = !ir.call("Товары", {Arg::I(0), Arg::I(501)}, &v);
    le = ir.last_error();
    EXPECT(refused && has(le, "\"code\":\"param.max\"") && has(le, "«Количество»"), "Товары(0, 501) -> false: count at most 500, «Количество»");
    refused = !ir.call("ЖурналИзменений", {Arg::S(order), Arg::S("2021-06-30 10:48:46")}, &v);
    le = ir.last_error();
    EXPECT(refused && has(le, "\"field\":\"started_at\"") && has(le, "\"code\":\"param.type\""), "ЖурналИзменений with a date-time without a zone -> false");
    EXPECT(!ir.call("Вызвать", {Arg::S("ireca.goods.purge"), Arg::S("{}")}, &v) && has(ir.last_error(), "ireca.goods.delete"),
           "Вызвать with an id iRECA does not have -> false, listing those it has");
    EXPECT(!has(http(url, "GET", "/_control/requests", ""), "/ireca/"), "none of the refused calls reached the service");
    refused = !ir.call("ПолучитьЗаказ", {Arg::S("no-such-order")}, &v);
    le = ir.last_error();
    EXPECT(refused && has(le, "\"status\":404") && has(le, "Модель не существует"), "ПолучитьЗаказ(unknown) -> false, 404 with the service's message");

    logf("== Ireca: every id of the table through Вызвать");
    const std::string dev = "1c-" + run;
    http(url, "POST", "/_control/ireca/sessions", "{\"courierId\":\"55752\",\"deviceId\":\"" + dev + "\"}");
    const std::string id2 = run + "02", order2 = "1C-" + run + "-2", refund2 = "1C-" + run + "-R2";
    auto item = [&](const std::string& crud) -> std::string {
        if (crud == "goods") return "{\"goodId\":\"" + id2 + "\",\"parentId\":null,\"taxId\":\"8286\",\"title\":\"Т\",\"price\":1}";
        if (crud == "specificities") return "{\"specificityId\":\"" + id2 + "\",\"parentId\":null,\"title\":\"Т\",\"price\":1}";
        if (crud == "warehouses") return "{\"warehouseId\":\"" + id2 + "\",\"title\":\"Т\"}";
        if (crud == "couriers") return "{\"courierId\":\"" + id2 + "\",\"title\":\"Т\",\"email\":\"e@x\",\"phone\":\"1\",\"sourcePassword\":\"1\"}";
        if (crud == "roles") return "{\"roleId\":\"" + id2 + "\",\"title\":\"Т\"}";
        if (crud == "clients") return "{\"clientId\":\"" + id2 + "\",\"title\":\"Т\",\"firstname\":\"a\",\"lastname\":\"b\",\"birthday\":\"1990-01-01\"}";
        if (crud == "suppliers") return "{\"supplierId\":\"" + id2 + "\",\"title\":\"Т\",\"inn\":\"7707083893\"}";
        if (crud == "return_reasons") return "{\"reasonId\":\"" + id2 + "\",\"title\":\"Т\"}";
        if (crud == "payment_types") return "{\"paymentTypeId\":\"" + id2 + "\",\"closeTypeId\":1}";
        return "{\"taxId\":\"" + id2 + "\",\"title\":\"Т\"}";
    };
    auto key = [](const std::string& crud) -> std::string {
        if (crud == "goods") return "good_id";
        if (crud == "specificities") return "specificity_id";
        if (crud == "warehouses") return "warehouse_id";
        if (crud == "couriers") return "courier_id";
        if (crud == "roles") return "role_id";
        if (crud == "clients") return "client_id";
        if (crud == "suppliers") return "supplier_id";
        if (crud == "return_reasons") return "reason_id";
        if (crud == "payment_types") return "payment_type_id";
        return "tax_id";
    };
    std::string o2 = order_json, r2 = refund_json;
    o2.replace(o2.find(order), order.size(), order2);
    r2.replace(r2.find(refund), refund.size(), refund2);
    std::map<std::string, std::string> special = {
        {"ireca.locations.list", "{\"courier_id\":\"55752\",\"created_at\":\"2021-01-01T00:00:00Z\"}"},
        {"ireca.orders.create", "{\"items\":[" + o2 + "]}"},
        {"ireca.orders.create_refund", "{\"items\":[" + r2 + "]}"},
        {"ireca.orders.get", "{\"order_id\":\"" + order2 + "\"}"},
        {"ireca.orders.update", "{\"order_id\":\"" + order2 + "\",\"changes\":{\"description\":\"1С\"}}"},
        {"ireca.orders.update_many", "{\"update\":{\"orderIds\":[\"" + order2 + "\"],\"attributes\":{\"statusId\":1}}}"},
        {"ireca.orders.replace", "{\"items\":[" + o2 + "]}"},
        {"ireca.orders.delete", "{\"order_id\":\"" + refund2 + "\"}"},
        {"ireca.orders.set_callback", "{\"settings\":{\"url\":\"http://127.0.0.1:9/1c/orders\",\"isActive\":false}}"},
        {"ireca.orders.status_journal", "{\"order_id\":\"" + order2 + "\"}"},
        {"ireca.receipts.payment", "{\"order_id\":\"" + order + "\"}"},
        {"ireca.receipts.refund", "{\"order_id\":\"" + refund + "\"}"},
        {"ireca.atol.replace_settings", "{\"settings\":{\"settingId\":1,\"login\":\"l\",\"password\":\"p\",\"kktGroup\":\"g\",\"isProduction\":0,"
                                        "\"company\":{\"inn\":\"7707083893\",\"taxSystem\":\"osn\"}}}"},
        {"ireca.journal.list", "{\"entity_id\":\"" + order + "\",\"started_at\":\"2021-01-01T03:00:00+03:00\"}"},
        {"ireca.permissions.list", "{\"role_id\":\"908\"}"},
        {"ireca.permissions.replace", "{\"items\":[{\"roleId\":908,\"actionId\":\"orderCancel\",\"isAllowed\":true}]}"},
        {"ireca.licenses.close", "{\"device_id\":\"" + dev + "\"}"},
        {"ireca.licenses.set_callback", "{\"settings\":{\"url\":\"http://127.0.0.1:9/1c/sessions\",\"isActive\":0}}"},
        {"ireca.bank_terminal_logs.list", "{\"courier_id\":\"55752\"}"},
        {"ireca.callback.order", "{\"body\":" + json_quote(cb) + "}"},
        {"ireca.callback.license_session", "{\"body\":" + json_quote("{\"sessionId\":2,\"deviceId\":\"d\"}") + "}"},
        {"ireca.orders.lint", "{\"order\":" + order_json + "}"},
    };
    int answered = 0;
    for (const IrecaRow& r : rows) {
        std::string params = "{}";
        auto found = special.find(r.id);
        size_t dot = r.id.find('.', 6);
        std::string crud = r.id.substr(6, dot - 6), action = r.id.substr(dot + 1);
        if (found != special.end()) {
            params = found->second;
        } else if (action == "create" || action == "replace") {
            params = "{\"items\":[" + item(crud) + "]}";
        } else if (action == "get" || action == "delete") {
            params = "{\"" + key(crud) + "\":\"" + id2 + "\"}";
        } else if (action == "update") {
            params = "{\"" + key(crud) + "\":" + id2 + ",\"changes\":{\"title\":\"1С\"}}";
        } else if (action == "list" && crud != "licenses") {
            params = "{\"page\":0,\"count\":500}";
        }
        bool ok = ir.call("Вызвать", {Arg::S(r.id), Arg::S(params)}, &v);
        shown += v.str;
        if (ok) answered++;
        else logf("  FAIL Вызвать(\"%s\"): %s", r.id.c_str(), shorten(ir.last_error(), 300).c_str());
    }
    EXPECT(answered == 93, "Вызвать answered %d of the 93 ids of the table", answered);
    EXPECT(ir.call("Call", {Arg::S("ireca.goods.get"), Arg::S("{\"good_id\":\"" + id2 + "\"}")}, &v) && has(v.str, "\"isActive\":0"),
           "Call(\"ireca.goods.get\"): the good the loop created, updated, replaced and deleted");

    logf("== Ireca: ВызватьАсинх");
    Value n;
    EXPECT(ir.call("ВызватьАсинх", {Arg::S("ireca.taxes.list"), Arg::S("")}, &n) && n.i >= 1, "ВызватьАсинх(\"ireca.taxes.list\") -> request %lld", n.i);
    EXPECT(pl.wait_posted(1, 60), "the event arrived");
    std::vector<Event> events = pl.drain();
    EXPECT(events.size() == 1 && has(events[0].data, "\"ok\":true") && has(events[0].data, "БезНДС"), "ОбработкаВнешнегоСобытия: %s",
           events.empty() ? "-" : shorten(events[0].data, 120).c_str());

    logf("== Ireca: the token is never shown");
    const std::string canary = "canary-1C-ireca-t0ken-2207";
    EXPECT(ir.set("Токен", Arg::S(canary), true), "Токен = a wrong one (a canary)");
    refused = !ir.call("Налоги", {}, &v);
    le = ir.last_error();
    er = pl.last_error_record();
    EXPECT(refused && has(le, "\"status\":401") && has(le, "\"code\":\"auth\"") && !has(le, canary) && !has(er.descr, canary),
           "Налоги with the wrong token -> false, HTTP 401, the token in neither ПоследняяОшибка nor AddError: %s", shorten(le, 200).c_str());
    refused = !ir.set("АдресСервиса", Arg::S("http://127.0.0.1:1/" + canary + "?x"));
    le = ir.last_error();
    EXPECT(refused && !has(le, canary) && !has(pl.last_error_record().descr, canary), "АдресСервиса holding the token is refused without showing it");
    for (const ErrorRecord& e : pl.errors) shown += e.descr;
    EXPECT(!has(shown, token) && !has(shown, canary), "the token is in none of %zu bytes of values and error texts the component gave", shown.size());

    destroy(ex, pl, ir);
    EXPECT(mm.live == 0, "session 7 freed all %ld strings", mm.total.load());
}

// ---------------------------------------------------------------- session 8: CargoRun
// The class generated for CARGO.RUN Logistics 2.0 (AddIn.LogiBridge.CargoRun) against the
// sandbox's emulator: two credentials (Логин readable, Пароль write-only), a token file set
// with УстановитьПараметр, a few methods by their Russian and English names, a rule broken
// before sending, every id of its table through Вызвать (coverage from the emulator's
// per-id counters), an expired token renewed by itself, the token rows answered masked, and
// the canary: neither the password nor a token in any string the component gave.

// The first "id" in a JSON answer: a bare number, {"id": N} or [{"id": N}, ...].
static long long first_id(const std::string& answer) {
    if (!answer.empty() && answer[0] >= '0' && answer[0] <= '9') return atoll(answer.c_str());
    return int_field(answer, "id");
}

// Every token the file holds ("access_token"/"refresh_token" values).
static std::vector<std::string> file_tokens(const std::string& path) {
    std::vector<std::string> out;
    std::string text = read_file(path);
    for (const char* key : {"\"access_token\": \"", "\"refresh_token\": \""}) {
        for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + 1)) {
            size_t from = at + strlen(key), end = text.find('"', from);
            if (end != std::string::npos && end - from >= 16) out.push_back(text.substr(from, end - from));
        }
    }
    return out;
}

static void cargorun_session(Exports& ex) {
    logf("== session 8: CargoRun — CARGO.RUN Logistics 2.0 against the sandbox (AddIn.LogiBridge.CargoRun)");
    const char* url_env = getenv("LB_CARGORUN_URL");
    const char* user_env = getenv("LB_CARGORUN_USERNAME");
    const char* password_env = getenv("LB_CARGORUN_PASSWORD");
    EXPECT(url_env && user_env && password_env, "LB_CARGORUN_URL, LB_CARGORUN_USERNAME and LB_CARGORUN_PASSWORD are set (tests/onec/run.sh)");
    if (!url_env || !user_env || !password_env) return;
    const std::string url = url_env, user = user_env, password = password_env;
    const std::string run = std::to_string(process_id());
    const std::string token_file = temp_base() + "lb-onec-cargorun-" + run + ".json";
    std::string shown;  // every value and error text the component gave
    std::vector<std::string> tokens;

    MemoryManager mm;
    Platform pl;
    Object cr;
    if (!create(ex, mm, pl, true, cr, "CargoRun")) return;
    describe_interface(cr, 74 + 4);

    logf("== CargoRun: properties — two credentials, one of them secret");
    Value v;
    EXPECT(cr.get("АдресСервиса", &v) && v.str == "https://api.app.cargorun.ru/", "АдресСервиса defaults to the production URL");
    EXPECT(cr.set("BaseUrl", Arg::S(url)) && cr.get("АдресСервиса", &v) && v.str == url, "BaseUrl = the sandbox (%s)", url.c_str());
    long lp = cr.prop("Логин"), pp = cr.prop("Пароль");
    EXPECT(lp >= 0 && lp == cr.prop("Login") && cr.lang()->IsPropReadable(lp) && cr.lang()->IsPropWritable(lp), "Логин / Login: readable and writable");
    EXPECT(pp >= 0 && pp == cr.prop("Password") && !cr.lang()->IsPropReadable(pp) && cr.lang()->IsPropWritable(pp), "Пароль / Password: write-only");
    EXPECT(cr.prop("КлючAPI") == -1 && cr.prop("Токен") == -1, "no КлючAPI or Токен: those are other services'");
    bool refused = !cr.call("Водители", {}, &v);
    std::string le = cr.last_error();
    shown += le;
    EXPECT(refused && has(le, "\"code\":\"option.required\"") && has(le, "Логин"), "a call before Логин is set -> false, naming Логин: %s", shorten(le, 200).c_str());
    EXPECT(cr.set("Логин", Arg::S(user)) && cr.get("Login", &v) && v.str == user, "Логин set and read back");
    refused = !cr.call("Водители", {}, &v);
    le = cr.last_error();
    EXPECT(refused && has(le, "Пароль"), "Пароль still missing -> false, naming Пароль");
    EXPECT(cr.set("Пароль", Arg::S(password), true), "Пароль set");
    size_t errs = pl.error_count();
    EXPECT(!cr.get("Password", &v) && v.vt == VTYPE_EMPTY && pl.error_count() == errs + 1, "reading Password fails and shows nothing");

    // A token file others may read is refused when the session opens it (the first call);
    // an owner-only one is taken.
    write_file(token_file, "{}");
#ifdef _WIN32
    // Windows has no mode bits: the folder's protection is relied on (transport/jwt.rs).
    EXPECT(cr.call("УстановитьПараметр", {Arg::S("token_file"), Arg::S(token_file)}, &v) && v.b, "УстановитьПараметр(\"token_file\", a file)");
    logf("  (Windows: no 644/600 modes to check)");
#else
    chmod(token_file.c_str(), 0644);
    EXPECT(cr.call("УстановитьПараметр", {Arg::S("token_file"), Arg::S(token_file)}, &v) && v.b, "УстановитьПараметр(\"token_file\", a file)");
    refused = !cr.call("Автомобили", {}, &v);
    le = cr.last_error();
    shown += le;
    EXPECT(refused && has(le, "\"field\":\"token_file\"") && has(le, "600") && has(le, "644"), "the file is 644: Автомобили() -> false: %s", shorten(le, 240).c_str());
    chmod(token_file.c_str(), 0600);
#endif

    logf("== CargoRun: every row is a method by both names (Методы() is the table)");
    Value table;
    EXPECT(cr.call("Методы", {}, &table) && has(table.str, "\"prefix\":\"cargorun\""), "Методы() describes CARGO.RUN (%zu bytes)", table.str.size());
    shown += table.str;
    std::vector<IrecaRow> rows;
    {
        const std::string start = "{\"id\":\"cargorun.";
        // The typed rows only: the generic ones (issue 13) follow under "generic_endpoints".
        table.str = table.str.substr(0, table.str.find("\"generic_endpoints\":"));
        for (size_t at = table.str.find(start); at != std::string::npos;) {
            size_t next = table.str.find(start, at + 1);
            std::string row = table.str.substr(at, next == std::string::npos ? std::string::npos : next - at);
            rows.push_back({str_field(row, "id"), str_field(row, "onec_ru"), str_field(row, "onec_en")});
            at = next;
        }
    }
    EXPECT(rows.size() == 74, "74 rows in the table (%zu)", rows.size());
    int both = 0;
    std::vector<long> taken;
    for (const IrecaRow& r : rows) {
        long by_ru = cr.method(r.ru), by_en = cr.method(r.en), by_lower = cr.method(lower(r.en));
        bool unique = by_ru >= 0 && std::find(taken.begin(), taken.end(), by_ru) == taken.end();
        if (by_ru >= 0) taken.push_back(by_ru);
        if (unique && by_ru == by_en && by_ru == by_lower) both++;
        else logf("  FAIL %s: %s -> %ld, %s -> %ld", r.id.c_str(), r.ru.c_str(), by_ru, r.en.c_str(), by_en);
    }
    EXPECT(both == 74, "%d of 74 rows found by their Russian, English and lower-case names, each its own method", both);

    logf("== CargoRun: methods by name");
    http(url, "DELETE", "/_control/cargorun/calls", "");
    EXPECT(cr.call("ЗаписатьВодителя", {Arg::S("{\"id\":0,\"firstName\":\"Иван\",\"lastName\":\"Петров-" + run + "\",\"phoneNumber\":\"8 (999) 123-45-67\"}")}, &v) &&
               first_id(v.str) > 0,
           "ЗаписатьВодителя(driver) -> its id %s (the first call signs in)", v.str.c_str());
    const long long driver = first_id(v.str);
    std::string calls = http(url, "GET", "/_control/cargorun/calls", "");
    EXPECT(has(calls, "\"cargorun.auth.generate_token\":1"), "one GenerateToken: %s", shorten(calls, 200).c_str());
    EXPECT(cr.call("Drivers", {Arg::B(false), Arg::B(false), Arg::S("id eq " + std::to_string(driver))}, &v) && has(v.str, "\"phoneNumber\":\"+79991234567\""),
           "Drivers(Ложь, Ложь, \"id eq %lld\"): the phone went out normalised", driver);
    shown += v.str;
    EXPECT(cr.call("ApplyCounterparty", {Arg::S("{\"id\":0,\"name\":\"ООО Груз " + run + "\",\"inn\":\"7707083893\"}")}, &v) && first_id(v.str) > 0,
           "ApplyCounterparty(counterparty)");
    const long long cp = first_id(v.str);
    EXPECT(cr.call("ПолучитьКонтрагента", {Arg::I(cp)}, &v) && has(v.str, "ООО Груз " + run), "ПолучитьКонтрагента(%lld) reads it back", cp);
    shown += v.str;
    EXPECT(cr.call("ЗаписатьАвтомобиль", {Arg::S("{\"id\":0,\"number\":\"А001АА77\"}")}, &v), "ЗаписатьАвтомобиль");
    const long long car = first_id(v.str);
    EXPECT(cr.call("ApplyTrailer", {Arg::S("{\"id\":0,\"number\":\"ВВ123477\"}")}, &v), "ApplyTrailer");
    const long long trailer = first_id(v.str);
    auto point = [](int order, const char* kind, const char* lon, const char* lat) {
        return std::string("{\"id\":0,\"order\":") + std::to_string(order) + ",\"type\":\"" + kind +
               "\",\"planEnterDate\":\"2026-07-15T13:58:00+03:00\",\"geozone\":{\"id\":0,\"location\":{\"type\":\"Point\",\"coordinates\":[" + lon + "," + lat +
               "]},\"address\":\"Россия\",\"radius\":2000,\"type\":\"BidPoint\"}}";
    };
    const std::string bid_json = "{\"id\":0,\"cargoOwnerDictionaryItemId\":" + std::to_string(cp) + ",\"paymentTypeId\":41,\"ndsTypeId\":129493473,\"price\":\"45000.50\"," +
                                 "\"externalId\":\"1C-" + run + "\",\"driver\":{\"id\":" + std::to_string(driver) + "},\"carOption\":{\"carId\":" + std::to_string(car) +
                                 "},\"trailerOption\":{\"trailerId\":" + std::to_string(trailer) + "},\"bidPoints\":[" + point(0, "LoadPoint", "47.47", "55.86") + "," +
                                 point(1, "UnloadPoint", "55.95", "54.70") + "]}";
    EXPECT(cr.call("ЗаписатьЗаявку", {Arg::S(bid_json)}, &v) && first_id(v.str) > 0, "ЗаписатьЗаявку(bid of two points) -> %s", v.str.c_str());
    const long long bid = first_id(v.str);
    EXPECT(cr.call("SetBidStatus", {Arg::I(bid), Arg::S("Started")}, &v), "SetBidStatus(%lld, \"Started\")", bid);
    EXPECT(cr.call("ПолучитьЗаявку", {Arg::I(bid)}, &v) && has(v.str, "\"status\":\"Started\"") && has(v.str, "\"planEnterDate\":\"2026-07-15T10:58:00Z\""),
           "ПолучитьЗаявку: Started, +03:00 sent in UTC");
    shown += v.str;

    logf("== CargoRun: refused before sending, with ПоследняяОшибка");
    std::string before = http(url, "GET", "/_control/cargorun/calls", "");
    refused = !cr.call("ЗаписатьКонтрагента", {Arg::S("{\"id\":0,\"name\":\"ООО\",\"inn\":\"7707083894\"}")}, &v);
    le = cr.last_error();
    shown += le;
    ErrorRecord er = pl.last_error_record();
    EXPECT(refused && has(le, "\"kind\":\"validation\"") && has(le, "inn") && has(er.descr, "ИНН") && er.source == "LogiBridge.CargoRun",
           "ЗаписатьКонтрагента with a bad INN check digit -> false: %s; AddError %s", shorten(le, 200).c_str(), er.source.c_str());
    refused = !cr.call("Водители", {Arg::B(false), Arg::B(false), Arg::S(""), Arg::S(""), Arg::I(51)}, &v);
    le = cr.last_error();
    EXPECT(refused && has(le, "$top") && has(le, "allow_large_top"), "Водители(…, Первые = 51) -> false: at most 50 unless РазрешитьБольшиеСтраницы");
    refused = !cr.call("ЗаписатьЗаявку", {Arg::S("{\"id\":0,\"cargoOwnerDictionaryItemId\":1,\"paymentTypeId\":1,\"ndsTypeId\":1,\"price\":1,\"driver\":{\"id\":1},"
                                                   "\"carOption\":{\"carId\":1},\"trailerOption\":{\"trailerId\":1},\"bidPoints\":[" +
                                                   point(0, "LoadPoint", "47.47", "55.86") + "]}")},
                       &v);
    le = cr.last_error();
    EXPECT(refused && has(le, "bidPoints"), "ЗаписатьЗаявку with one point -> false: %s", shorten(le, 200).c_str());
    EXPECT(http(url, "GET", "/_control/cargorun/calls", "") == before, "none of the refused calls reached the service");

    logf("== CargoRun: an expired token is renewed by itself");
    EXPECT(http(url, "POST", "/_control/cargorun/tokens/expire", "{}").compare(0, 3, "200") == 0, "the sandbox expires every access token");
    EXPECT(cr.call("Водители", {}, &v) && has(v.str, std::to_string(driver)), "Водители() after the expiry: answered");
    calls = http(url, "GET", "/_control/cargorun/calls", "");
    EXPECT(has(calls, "\"cargorun.auth.generate_token\":1") && has(calls, "\"cargorun.auth.refresh_token\":1"),
           "one RefreshToken, still one GenerateToken: %s", shorten(calls, 200).c_str());
    tokens = file_tokens(token_file);

    logf("== CargoRun: every id of the table through Вызвать");
    long long ids[16] = {0};  // 0 car2, 1 trailer2, 2 driver2, 3 contract, 4 point, 5 lp, 6 cp2, 7 bid2, 8 bid3, 9 dist, 10 dist2, 11 tracker, 12 title, 13 user, 14 invited
    auto S = [](long long n) { return std::to_string(n); };
    int answered = 0;
    std::vector<std::string> failed_ids;
    auto call_id = [&](const std::string& id, const std::string& params) -> std::string {
        Value r;
        bool ok = cr.call("Вызвать", {Arg::S(id), Arg::S(params)}, &r);
        shown += r.str;
        if (ok) answered++;
        else {
            failed_ids.push_back(id);
            std::string e = cr.last_error();
            shown += e;
            logf("  FAIL Вызвать(\"%s\"): %s", id.c_str(), shorten(e, 300).c_str());
        }
        return r.str;
    };
    const std::string dist_points = "[" + point(0, "LoadPoint", "47.47", "55.86") + "," + point(1, "UnloadPoint", "55.95", "54.70") + "]";
    http(url, "POST", "/_control/cargorun/clock", "{\"advance_seconds\":61}");  // past GenerateToken's cooldown
    std::string r = call_id("cargorun.auth.generate_token", "{\"user_name\":\"" + user + "\",\"password\":\"" + password + "\"}");
    EXPECT(has(r, "\"accessToken\":\"***\"") && has(r, "\"refreshToken\":\"***\""), "Вызвать(\"cargorun.auth.generate_token\"): the tokens masked");
    r = call_id("cargorun.auth.refresh_token", "{\"access_token\":\"***\",\"refresh_token\":\"***\"}");
    EXPECT(has(r, "\"accessToken\":\"***\""), "Вызвать(\"cargorun.auth.refresh_token\", ***): renewed, masked");
    for (const std::string& t : file_tokens(token_file)) tokens.push_back(t);
    call_id("cargorun.drivers.apply", "{\"driver\":{\"id\":0,\"firstName\":\"Пётр\",\"lastName\":\"Сидоров\",\"phoneNumber\":\"+7 999 765 43 21\"}}");
    ids[2] = first_id(r = call_id("cargorun.drivers.list", "{\"filter\":\"lastName eq 'Сидоров'\"}"));
    call_id("cargorun.drivers.delete", "{\"id\":" + S(ids[2]) + "}");
    call_id("cargorun.drivers.restore", "{\"id\":" + S(ids[2]) + "}");
    ids[0] = first_id(call_id("cargorun.cars.apply", "{\"car\":{\"id\":0,\"number\":\"Е777КХ99\"}}"));
    call_id("cargorun.cars.list", "{\"top\":50}");
    EXPECT(has(call_id("cargorun.cars.get_for_edit", "{\"id\":" + S(ids[0]) + "}"), "Е777КХ99"), "cars.get_for_edit reads the new car");
    call_id("cargorun.cars.mileage", "{\"car_id\":" + S(car) + ",\"start\":\"2026-01-01\",\"end\":\"2027-12-31T23:59:59\"}");
    call_id("cargorun.cars.delete", "{\"id\":" + S(ids[0]) + "}");
    ids[1] = first_id(call_id("cargorun.trailers.apply", "{\"trailer\":{\"id\":0,\"number\":\"АА000077\"}}"));
    call_id("cargorun.trailers.list", "{\"with_deleted\":true}");
    call_id("cargorun.trailers.delete", "{\"id\":" + S(ids[1]) + "}");
    ids[6] = first_id(call_id("cargorun.counterparties.apply", "{\"counterparty\":{\"id\":0,\"name\":\"ИП Лишний\",\"inn\":\"500100732259\"}}"));
    call_id("cargorun.counterparties.list", "{\"filter\":\"id eq " + S(ids[6]) + "\"}");
    call_id("cargorun.counterparties.get", "{\"id\":" + S(ids[6]) + "}");
    ids[3] = first_id(call_id("cargorun.contracts.apply", "{\"contract\":{\"id\":0,\"counterpartyId\":" + S(cp) + ",\"number\":\"Д-1\",\"date\":\"2026-06-30\"}}"));
    call_id("cargorun.contracts.list", "{\"counterparty_id\":" + S(cp) + "}");
    EXPECT(has(call_id("cargorun.contracts.get", "{\"counterparty_id\":" + S(cp) + ",\"contract_id\":" + S(ids[3]) + "}"), "\"date\":\"2026-06-30\""),
           "contracts.get: the date-only date");
    call_id("cargorun.contracts.delete", "{\"id\":" + S(ids[3]) + ",\"counterparty_id\":" + S(cp) + "}");
    ids[4] = first_id(call_id("cargorun.counterparty_points.apply", "{\"point\":{\"id\":0,\"counterpartyId\":" + S(cp) +
                                                                         ",\"geozone\":{\"id\":0,\"location\":{\"latitude\":55.75,\"longitude\":37.62},"
                                                                         "\"address\":\"Москва\",\"type\":\"CounterpartyPoint\"}}}"));
    call_id("cargorun.counterparty_points.list", "{\"counterparty_id\":" + S(cp) + "}");
    EXPECT(has(call_id("cargorun.counterparty_points.get", "{\"id\":" + S(ids[4]) + "}"), "[37.62,55.75]"), "counterparty_points.get: GeoJSON [lon, lat]");
    call_id("cargorun.counterparty_points.delete", "{\"id\":" + S(ids[4]) + "}");
    call_id("cargorun.counterparty_points.restore", "{\"id\":" + S(ids[4]) + ",\"counterparty_id\":" + S(cp) + "}");
    call_id("cargorun.counterparties.delete", "{\"id\":" + S(ids[6]) + "}");
    ids[5] = first_id(call_id("cargorun.legal_persons.apply", "{\"legal_person\":{\"id\":0,\"name\":\"ООО Мы\",\"inn\":\"7707083893\"}}"));
    call_id("cargorun.legal_persons.list", "{}");
    call_id("cargorun.legal_persons.delete", "{\"id\":" + S(ids[5]) + "}");
    for (const char* id : {"cargorun.catalogs.get_simple", "cargorun.catalogs.get", "cargorun.catalogs.list", "cargorun.catalogs.items"}) call_id(id, "{}");
    call_id("cargorun.bids.patch", "{\"patch\":{\"bidId\":" + S(bid) + ",\"id\":" + S(bid) + ",\"price\":47000}}");
    EXPECT(http(url, "POST", "/_control/cargorun/bids/" + S(bid) + "/complete", "{\"mileage\":812}").compare(0, 3, "200") == 0, "the sandbox completes the bid");
    EXPECT(has(call_id("cargorun.bids.get", "{\"bid_id\":" + S(bid) + "}"), "\"status\":\"Done\""), "bids.get: Done");
    call_id("cargorun.bids.apply_payment", "{\"bid_id\":" + S(bid) + ",\"payment\":{\"paymentStatus\":\"Paid\",\"factPaymentDate\":\"2026-06-30\"}}");
    call_id("cargorun.bids.list_for_external", "{\"filter\":\"id eq " + S(bid) + "\",\"count\":true}");
    call_id("cargorun.bids.trailer_replacements", "{\"bid_id\":" + S(bid) + "}");
    call_id("cargorun.bids.documents", "{\"bid_id\":" + S(bid) + "}");
    call_id("cargorun.bids.revert", "{\"bid_id\":" + S(bid) + "}");
    call_id("cargorun.bids.set_status", "{\"bid_id\":" + S(bid) + ",\"status\":\"Started\"}");
    call_id("cargorun.bids.force_complete", "{\"completion\":{\"bidId\":" + S(bid) + ",\"mileage\":900,\"useOdometerMileage\":false,\"reason\":\"без связи\"}}");
    ids[7] = first_id(call_id("cargorun.bids.apply", "{\"bid\":" + bid_json + "}"));
    call_id("cargorun.bids.cancel", "{\"bid_id\":" + S(ids[7]) + "}");
    ids[8] = first_id(call_id("cargorun.bids.apply", "{\"bid\":" + bid_json + "}"));
    call_id("cargorun.bids.delete", "{\"bid_id\":" + S(ids[8]) + "}");
    call_id("cargorun.bids.restore", "{\"bid_id\":" + S(ids[8]) + "}");
    call_id("cargorun.distribution_bids.apply", "{\"items\":[{\"id\":0,\"externalStatus\":\"None\",\"externalId\":\"1C-ЗК-" + run + "\",\"bidPoints\":" + dist_points +
                                                    "},{\"id\":0,\"externalStatus\":\"None\",\"externalId\":\"1C-ЗК2-" + run + "\",\"bidPoints\":" + dist_points + "}]}");
    ids[9] = first_id(call_id("cargorun.distribution_bids.list_for_external", "{\"filter\":\"externalId eq '1C-ЗК-" + run + "'\"}"));
    ids[10] = first_id(call_id("cargorun.distribution_bids.list_for_external", "{\"filter\":\"externalId eq '1C-ЗК2-" + run + "'\"}"));
    call_id("cargorun.distribution_bids.get", "{\"id\":" + S(ids[9]) + "}");
    http(url, "POST", "/_control/cargorun/distribution_bids/" + S(ids[9]) + "/distribute", "{\"bid_id\":" + S(bid) + "}");
    EXPECT(first_id(call_id("cargorun.distribution_bids.get_for_bid", "{\"bid_id\":" + S(bid) + "}")) == ids[9], "distribution_bids.get_for_bid: the order of the bid");
    call_id("cargorun.distribution_bids.external_info", "{\"bid_id\":" + S(bid) + "}");
    call_id("cargorun.distribution_bids.external_statuses", "{\"ids\":[" + S(ids[9]) + "]}");
    call_id("cargorun.distribution_bids.cancel", "{\"id\":" + S(ids[9]) + ",\"comment\":\"нет машины\"}");
    call_id("cargorun.distribution_bids.revert", "{\"id\":" + S(ids[9]) + "}");
    call_id("cargorun.distribution_bids.delete", "{\"id\":" + S(ids[10]) + "}");
    call_id("cargorun.distribution_bids.restore", "{\"id\":" + S(ids[10]) + "}");
    ids[11] = first_id(call_id("cargorun.trackers.list", "{}"));
    call_id("cargorun.trackers.attach", "{\"attachment\":{\"id\":" + S(ids[11]) + ",\"entityId\":" + S(car) + ",\"type\":\"Car\"}}");
    ids[12] = first_id(call_id("cargorun.etrn.titles", "{}"));
    call_id("cargorun.etrn.title", "{\"title_id\":" + S(ids[12]) + "}");
    call_id("cargorun.etrn.apply_status", "{\"id\":" + S(ids[12]) + ",\"status\":\"Accepted\"}");
    EXPECT(has(call_id("cargorun.map.geocode", "{\"address\":\"Москва\",\"count\":3}"), "\"suggestions\":["), "map.geocode: suggestions");
    ids[13] = first_id(call_id("cargorun.employees.apply_user", "{\"user\":{\"id\":0,\"email\":\"logist" + run +
                                                                     "@example.com\",\"firstName\":\"Лог\",\"lastName\":\"Истов\",\"phoneNumber\":\"79990001122\","
                                                                     "\"password\":\"secret-pass\",\"sendLoginData\":false,\"connectionState\":\"Offline\"}}"));
    call_id("cargorun.employees.list", "{}");
    call_id("cargorun.employees.add_role", "{\"role\":{\"userId\":" + S(ids[13]) + ",\"role\":\"TruckingOrganizationManager\"}}");
    call_id("cargorun.employees.remove_role", "{\"role\":{\"userId\":" + S(ids[13]) + ",\"role\":\"TruckingOrganizationManager\"}}");
    call_id("cargorun.employees.add_role", "{\"role\":{\"userId\":" + S(ids[13]) + ",\"role\":\"TruckingOrganizationHeadLogist\"}}");
    call_id("cargorun.employees.ban", "{\"user_id\":" + S(ids[13]) + "}");
    call_id("cargorun.employees.unban", "{\"user_id\":" + S(ids[13]) + "}");
    call_id("cargorun.employees.invite", "{\"invitation\":{\"email\":\"new" + run + "@example.com\"}}");
    ids[14] = first_id(call_id("cargorun.employees.invitations", "{}"));
    call_id("cargorun.employees.remove_invite", "{\"user_id\":" + S(ids[14]) + "}");
    call_id("cargorun.employees.logists", "{}");
    call_id("cargorun.employees.logist", "{\"id\":" + S(ids[13]) + "}");
    EXPECT(failed_ids.empty(), "Вызвать answered %d calls, %zu failed", answered, failed_ids.size());
    calls = http(url, "GET", "/_control/cargorun/calls", "");
    int reached = 0;
    for (const IrecaRow& row : rows) {
        if (has(calls, "\"" + row.id + "\":")) reached++;
        else logf("  never reached the sandbox: %s", row.id.c_str());
    }
    EXPECT(reached == 74, "%d of the 74 ids reached the sandbox", reached);

    logf("== CargoRun: neither the password nor a token is ever shown");
    const std::string canary = "canary-1C-cargorun-pa55-4417";
    // Another token file: the one above holds the session of this user, and a session that
    // finds its user's tokens there uses them whatever the password.
    const std::string other_file = token_file + ".wrong";
    EXPECT(cr.call("УстановитьПараметр", {Arg::S("token_file"), Arg::S(other_file)}, &v), "УстановитьПараметр(\"token_file\", another file)");
    EXPECT(cr.set("Пароль", Arg::S(canary), true), "Пароль = a wrong one (a canary)");
    refused = !cr.call("Автомобили", {}, &v);
    le = cr.last_error();
    er = pl.last_error_record();
    shown += le;
    EXPECT(refused && has(le, "\"status\":400") && !has(le, canary) && !has(er.descr, canary),
           "Автомобили with the wrong password -> false, the service's 400, the password in neither ПоследняяОшибка nor AddError: %s", shorten(le, 200).c_str());
    EXPECT(cr.set("Пароль", Arg::S(password), true) && cr.call("Автомобили", {}, &v), "Пароль set back: the session of the right password goes on");
    for (const ErrorRecord& e : pl.errors) shown += e.descr;
    size_t leaked = 0;
    for (const std::string& t : tokens) leaked += has(shown, t);
    EXPECT(tokens.size() >= 4, "%zu tokens of the session were read from the token file", tokens.size());
    EXPECT(!has(shown, password) && !has(shown, canary) && leaked == 0, "no password and none of %zu tokens in %zu bytes of values and error texts the component gave",
           tokens.size(), shown.size());

    destroy(ex, pl, cr);
    file_remove(token_file);
    file_remove(other_file);
    EXPECT(mm.live == 0, "session 8 freed all %ld strings", mm.total.load());
}

// ---------------------------------------------------------------- session 9: CARGO.RUN issue 13
// The Swagger's other operations through the CargoRun class without a method each
// (ОперацииSwagger lists them, Вызвать calls them by id, ВызватьПуть by method + path), a
// wrong body type refused before sending, an OData query described in JSON on a list, the
// incremental sync of bids while the sandbox changes them (every version once), a batch not
// acknowledged handed again to a new object on the same store, and the conflict rule.

// The raw JSON text of the member `key` of the top-level object `obj` ("" when absent):
// nested objects' members of the same name are skipped.
static std::string member(const std::string& obj, const std::string& key) {
    int depth = 0;
    bool in_str = false, esc = false;
    const std::string pat = "\"" + key + "\":";
    for (size_t i = 0; i < obj.size(); i++) {
        char c = obj[i];
        if (in_str) {
            if (esc) esc = false;
            else if (c == '\\') esc = true;
            else if (c == '"') in_str = false;
            continue;
        }
        if (depth == 1 && c == '"' && obj.compare(i, pat.size(), pat) == 0) {
            size_t from = i + pat.size(), j = from;
            int d = 0;
            bool s = false, e = false;
            for (; j < obj.size(); j++) {
                char k = obj[j];
                if (s) {
                    if (e) e = false;
                    else if (k == '\\') e = true;
                    else if (k == '"') s = false;
                    continue;
                }
                if (k == '"') s = true;
                else if (k == '[' || k == '{') d++;
                else if (k == ']' || k == '}') {
                    if (d == 0) break;
                    d--;
                } else if (k == ',' && d == 0) break;
            }
            return obj.substr(from, j - from);
        }
        if (c == '"') in_str = true;
        else if (c == '{' || c == '[') depth++;
        else if (c == '}' || c == ']') depth--;
    }
    return "";
}

static std::string unquote(const std::string& v) {
    return v.size() >= 2 && v.front() == '"' ? v.substr(1, v.size() - 2) : v;
}

static void cargorun_issue13_session(Exports& ex) {
    logf("== session 9: CargoRun — the whole Swagger, OData queries and the incremental sync (issue 13)");
    const char* url_env = getenv("LB_CARGORUN_URL");
    const char* user_env = getenv("LB_CARGORUN_USERNAME");
    const char* password_env = getenv("LB_CARGORUN_PASSWORD");
    if (!url_env || !user_env || !password_env) return;
    const std::string url = url_env, user = user_env, password = password_env;
    const std::string store = temp_base() + "lb-onec-sync-" + std::to_string(process_id()) + ".db";
    for (const char* suffix : {"", "-wal", "-shm"}) file_remove(store + suffix);
    auto S = [](long long n) { return std::to_string(n); };

    MemoryManager mm;
    Platform pl;
    Object cr;
    if (!create(ex, mm, pl, true, cr, "CargoRun")) return;
    auto sign_in = [&](Object& o) {
        return o.set("АдресСервиса", Arg::S(url)) && o.set("Логин", Arg::S(user)) && o.set("Пароль", Arg::S(password), true);
    };
    EXPECT(sign_in(cr), "АдресСервиса, Логин, Пароль set");
    Value v;

    logf("== CargoRun: the Swagger's operations are listed, not methods");
    long methods = cr.lang()->GetNMethods();
    EXPECT(methods > 74 && methods < 100, "%ld methods: the 74 rows and a few more, not one per Swagger operation", methods);
    EXPECT(cr.method("TrackersGetById") < 0 && cr.method("cargorun.swagger.trackers.get.by_id") < 0, "no method is made of a generic row");
    EXPECT(cr.method("ОперацииSwagger") >= 0 && cr.method("ОперацииSwagger") == cr.method("SwaggerOperations"), "ОперацииSwagger / SwaggerOperations");
    EXPECT(cr.call("ОперацииSwagger", {}, &v), "ОперацииSwagger()");
    std::vector<std::string> ops = array_items(v.str);
    int generic = 0;
    std::vector<std::string> plain_gets;
    for (const std::string& op : ops) {
        if (unquote(member(op, "kind")) == "generic") generic++;
        if (unquote(member(op, "method")) == "GET" && member(op, "params") == "[]") plain_gets.push_back(unquote(member(op, "id")));
    }
    Value table;
    EXPECT(cr.call("Методы", {}, &table), "Методы()");
    std::string listed = member(table.str, "generic_endpoints");
    size_t in_table = 0;
    for (size_t at = listed.find("\"kind\":\"generic\""); at != std::string::npos; at = listed.find("\"kind\":\"generic\"", at + 1)) in_table++;
    EXPECT(ops.size() > 800 && generic == int(ops.size()) && in_table == ops.size(),
           "every generic operation listed, all of kind generic (%zu; Методы() lists %zu)", ops.size(), in_table);
    EXPECT(cr.call("SwaggerOperations", {Arg::S("trackers/get/")}, &v) && has(v.str, "\"id\":\"cargorun.swagger.trackers.get.by_id\"") &&
               array_items(v.str).size() < 10,
           "SwaggerOperations(\"trackers/get/\") finds cargorun.swagger.trackers.get.by_id (%zu rows)", array_items(v.str).size());

    logf("== CargoRun: generic operations by id (GET, POST, path parameters, arrays)");
    http(url, "DELETE", "/_control/cargorun/calls", "");
    std::vector<std::pair<std::string, std::string>> sample = {
        {"cargorun.swagger.trackers.get.by_id", "{\"id\":17}"},
        {"cargorun.swagger.accesspermits.get.by_accesspermitid", "{\"accessPermitId\":3}"},
        {"cargorun.swagger.1c.bids.getpointdistances", "{\"bidIds\":[1,2,3]}"},
        {"cargorun.swagger.forwarding.suitableorders.delete", "{\"body\":[4,5]}"},
        {"cargorun.swagger.trackers.apply", "{\"body\":{\"id\":0,\"deviceNumber\":\"A-1\"}}"},
    };
    // Spread over the listing: GETs with no parameters, every so often.
    for (size_t i = 0; i < plain_gets.size() && sample.size() < 17; i += plain_gets.size() / 12 + 1) sample.push_back({plain_gets[i], ""});
    int answered = 0;
    for (const auto& call : sample) {
        if (cr.call("Вызвать", {Arg::S(call.first), Arg::S(call.second)}, &v) && v.vt == VTYPE_PWSTR) answered++;
        else logf("  FAIL %s: %s", call.first.c_str(), shorten(cr.last_error(), 240).c_str());
    }
    EXPECT(answered == int(sample.size()), "%d of %zu generic operations answered through Вызвать", answered, sample.size());
    std::string calls = http(url, "GET", "/_control/cargorun/calls", "");
    int counted = 0;
    for (const auto& call : sample)
        if (int_field(calls, call.first) == 1) counted++;
    EXPECT(counted == int(sample.size()), "the emulator counted each of the %zu once (%d)", sample.size(), counted);

    logf("== CargoRun: ВызватьПуть / CallPath");
    EXPECT(cr.call("ВызватьПуть", {Arg::S("get"), Arg::S("/API/Trackers/Get/17")}, &v) && v.str.size() > 2, "ВызватьПуть(\"get\", \"/API/Trackers/Get/17\")");
    calls = http(url, "GET", "/_control/cargorun/calls", "");
    EXPECT(int_field(calls, "cargorun.swagger.trackers.get.by_id") == 2, "counted as cargorun.swagger.trackers.get.by_id");
    EXPECT(cr.call("CallPath", {Arg::S("POST"), Arg::S("api/Trackers/Apply"), Arg::S("{\"body\":{\"id\":0,\"deviceNumber\":\"B-2\"}}")}, &v),
           "CallPath(\"POST\", \"api/Trackers/Apply\", a body)");
    http(url, "DELETE", "/_control/requests", "");
    bool refused = !cr.call("ВызватьПуть", {Arg::S("POST"), Arg::S("/api/waybill/Bids/Sign"), Arg::S("{\"query\":{\"bidId\":17},\"body\":{\"bidId\":17}}")}, &v);
    std::string reqs = http(url, "GET", "/_control/requests", "");
    EXPECT(refused && has(reqs, "/cargorun/api/waybill/Bids/Sign") && has(reqs, "bidId=17"),
           "a path the Swagger does not know is sent as given (the emulator answers 404): %s", shorten(cr.last_error(), 160).c_str());
    refused = !cr.call("ВызватьПуть", {Arg::S("HEAD"), Arg::S("/api/Home/Ping")}, &v);
    std::string le = cr.last_error();
    EXPECT(refused && has(le, "\"field\":\"method\"") && has(le, "HEAD"), "HEAD is refused naming the method: %s", shorten(le, 200).c_str());
    refused = !cr.call("ВызватьПуть", {Arg::S(""), Arg::S("/api/Home/Ping")}, &v);
    le = cr.last_error();
    EXPECT(refused && has(le, "Метод"), "an empty method is refused naming «Метод»");
    refused = !cr.call_raw(cr.method("ВызватьПуть"), {null_variant(VTYPE_PWSTR), null_variant(VTYPE_PWSTR)}, &v);
    le = cr.last_error();
    EXPECT(refused && has(le, "Метод"), "NULL strings are refused naming «Метод»: %s", shorten(le, 160).c_str());

    logf("== CargoRun: a wrong body type is refused before sending");
    std::string before = http(url, "GET", "/_control/cargorun/calls", "");
    http(url, "DELETE", "/_control/requests", "");
    refused = !cr.call("Вызвать", {Arg::S("cargorun.swagger.trackers.apply"), Arg::S("{\"body\":{\"id\":\"seven\",\"deviceNumber\":\"A-1\"}}")}, &v);
    le = cr.last_error();
    EXPECT(refused && has(le, "\"field\":\"body.id\"") && has(le, "\"code\":\"schema.type\""), "a text for body.id -> false: %s", shorten(le, 200).c_str());
    refused = !cr.call("ВызватьПуть", {Arg::S("POST"), Arg::S("/api/Trackers/Apply"), Arg::S("{\"body\":{\"id\":\"x\"}}")}, &v);
    le = cr.last_error();
    EXPECT(refused && has(le, "\"field\":\"body.id\""), "the same through ВызватьПуть");
    refused = !cr.call("Вызвать", {Arg::S("cargorun.swagger.1c.bids.getpointdistances"), Arg::S("{\"bidIds\":[1,\"two\"]}")}, &v);
    le = cr.last_error();
    EXPECT(refused && has(le, "bidIds"), "a text in an array of integers -> false: %s", shorten(le, 200).c_str());
    EXPECT(http(url, "GET", "/_control/cargorun/calls", "") == before && http(url, "GET", "/_control/requests", "") == "200 []",
           "none of the refused calls was sent");

    logf("== CargoRun: the sync — bids change while the sync pages");
    std::string seeded = http(url, "POST", "/_control/cargorun/seed", "{\"table\":\"bids\",\"count\":130,\"ticks\":3}");
    std::vector<std::string> seeded_ids;
    {
        std::string ids = member(seeded.substr(seeded.find(' ') + 1), "ids");
        for (size_t at = 1; at < ids.size();) {
            size_t end = ids.find_first_of(",]", at);
            if (end == std::string::npos) break;
            seeded_ids.push_back(ids.substr(at, end - at));
            at = end + 1;
        }
    }
    EXPECT(seeded.compare(0, 3, "200") == 0 && seeded_ids.size() == 130, "130 bids seeded over 3 ticks");
    if (seeded_ids.size() != 130) return;
    EXPECT(http(url, "POST", "/_control/cargorun/mutate_on_list", "{\"table\":\"bids\",\"count\":6,\"seed\":13,\"same_tick_percent\":40}").compare(0, 3, "200") == 0,
           "6 bids change before every list call (40 %% in the tick of the change before)");
    std::map<std::string, int> seen;  // "id@updatedAt" -> times handed
    int batches = 0, acked = 0;
    long long first_seq = -1;
    bool caught_up = false;
    for (int round = 0; round < 80; round++) {
        if (round == 8) http(url, "POST", "/_control/cargorun/mutate_on_list", "{\"count\":0}");
        bool ok = cr.call(round % 2 ? "SyncBids" : "СинхронизироватьЗаявки", {Arg::S(store)}, &v);
        if (!ok) {
            logf("  FAIL sync: %s", shorten(cr.last_error(), 240).c_str());
            break;
        }
        if (v.str.empty()) {
            caught_up = round >= 8;
            break;
        }
        batches++;
        long long seq = atoll(member(v.str, "seq").c_str());
        if (first_seq < 0) first_seq = seq;
        for (const std::string& item : array_items(member(v.str, "items"))) seen[member(item, "id") + "@" + unquote(member(item, "updatedAt"))]++;
        if (cr.call(round % 2 ? "Acknowledge" : "ПодтвердитьПакет", {Arg::I(seq)}, &v) && v.b) acked++;
    }
    EXPECT(caught_up && batches >= 8 && acked == batches && first_seq == 1, "caught up after %d batches, each acknowledged (%d), numbered from 1", batches, acked);
    int twice = 0;
    for (const auto& kv : seen) if (kv.second > 1) twice++;
    std::string versions = http(url, "GET", "/_control/cargorun/versions?table=bids", "");
    std::vector<std::string> truth = array_items(versions.substr(versions.find(' ') + 1));
    int missing = 0;
    for (const std::string& row : truth)
        if (!seen.count(member(row, "id") + "@" + unquote(member(row, "updatedAt")))) missing++;
    EXPECT(truth.size() >= 130 && missing == 0 && twice == 0, "every bid's last version handed (%zu bids, %d missing), no version twice (%d)", truth.size(), missing, twice);
    EXPECT(cr.call("КонтрольнаяТочка", {}, &v) && has(v.str, "\"updatedAt\":\"") && has(v.str, "\"seenIds\""), "КонтрольнаяТочка(): %s", shorten(v.str, 120).c_str());

    logf("== CargoRun: a batch not acknowledged comes again to the next object on the store");
    std::string changed = "[" + member(truth[0], "id") + "," + member(truth[truth.size() / 2], "id") + "," + member(truth.back(), "id") + "]";
    EXPECT(http(url, "POST", "/_control/cargorun/mutate", "{\"table\":\"bids\",\"count\":3,\"seed\":5,\"ids\":" + changed + "}").compare(0, 3, "200") == 0,
           "3 bids changed: %s", changed.c_str());
    EXPECT(cr.call("SyncBids", {Arg::S(store)}, &v) && array_items(member(v.str, "items")).size() == 3, "the 3 changes come in one batch");
    std::string unacked = member(v.str, "items");
    refused = !cr.call("ПодтвердитьПакет", {Arg::I(999)}, &v);
    le = cr.last_error();
    EXPECT(refused && has(le, "sync.acknowledge"), "a batch number never handed is refused: %s", shorten(le, 160).c_str());
    destroy(ex, pl, cr);
    EXPECT(mm.live == 0, "the first object freed all %ld strings", mm.total.load());

    MemoryManager mm2;
    Platform pl2;
    Object again;
    if (!create(ex, mm2, pl2, true, again, "CargoRun")) return;
    EXPECT(sign_in(again), "a new object, signed in");
    refused = !again.call("ПодтвердитьПакет", {Arg::I(1)}, &v);
    le = again.last_error();
    EXPECT(refused && has(le, "sync.not_open") && has(le, "Синхронизировать"), "ПодтвердитьПакет before a sync is refused: %s", shorten(le, 200).c_str());
    EXPECT(again.call("КонтрольнаяТочка", {Arg::S("bids"), Arg::S(store)}, &v) && has(v.str, "\"updatedAt\""), "the checkpoint read from the store by path");
    EXPECT(again.call("СинхронизироватьЗаявки", {Arg::S(store)}, &v) && member(v.str, "items") == unacked && member(v.str, "seq") == "1",
           "the same 3 rows again, as batch 1");
    EXPECT(again.call("ПодтвердитьПакет", {Arg::I(1)}, &v) && v.b, "acknowledged");
    EXPECT(again.call("СинхронизироватьЗаявки", {Arg::S(store)}, &v) && v.str.empty(), "then nothing new: \"\"");

    logf("== CargoRun: Синхронизировать — other lists, refusals");
    EXPECT(again.call("Синхронизировать", {Arg::S("distribution_bids"), Arg::S(store)}, &v) && (v.str.empty() || has(v.str, "\"entity\":\"distribution_bids\"")),
           "Синхронизировать(\"distribution_bids\", …)");
    refused = !again.call("Sync", {Arg::S("orders"), Arg::S(store)}, &v);
    le = again.last_error();
    EXPECT(refused && has(le, "sync.entity") && has(le, "Сущность") && has(le, "distribution_bids"), "an unknown list is refused naming «Сущность» and the lists: %s", shorten(le, 200).c_str());
    refused = !again.call("СинхронизироватьЗаявки", {Arg::S("")}, &v);
    le = again.last_error();
    EXPECT(refused && has(le, "ПутьКХранилищу"), "an empty store path is refused naming «ПутьКХранилищу»");
    refused = !again.call_raw(again.method("СинхронизироватьЗаявки"), {null_variant(VTYPE_PWSTR)}, &v);
    le = again.last_error();
    EXPECT(refused && has(le, "ПутьКХранилищу"), "a NULL store path too");
    refused = !again.call("Синхронизировать", {Arg::S("drivers"), Arg::S(store + "-other"), Arg::S("yesterday")}, &v);
    le = again.last_error();
    EXPECT(refused && has(le, "sync.since") && has(le, "Начало"), "an unreadable start time is refused naming «Начало»: %s", shorten(le, 200).c_str());
    refused = !again.call("СинхронизироватьЗаявки", {Arg::S("/nonexistent-dir-lb/sync.db")}, &v);
    le = again.last_error();
    EXPECT(refused && has(le, "хранилище"), "a store that cannot be opened: %s", shorten(le, 200).c_str());

    logf("== CargoRun: КлассифицироватьИзменение / ClassifyChange (examples-1c.md §3)");
    const std::string sync_at = "2026-01-23T21:00:00.0000005Z", before_t = "2026-01-23T20:59:59Z", after_t = "2026-01-23T21:00:00.0000006Z";
    struct Case { std::string remote, local, last, want; };
    std::vector<Case> cases = {
        {before_t, before_t, sync_at, "unchanged"},
        {sync_at, sync_at, sync_at, "unchanged"},  // equal to the last sync: not changed
        {before_t, after_t, sync_at, "push_local"},
        {after_t, sync_at, sync_at, "pull_remote"},
        {after_t, after_t, sync_at, "conflict"},
        {after_t, "", "", "pull_remote"},            // only in CARGO.RUN, never synced
        {"", after_t, "", "push_local"},             // only locally
        {"2026-01-24T00:00:00+03:00", before_t, sync_at, "unchanged"},  // 21:00:00Z, before the tick of the sync
    };
    int right = 0;
    for (const Case& c : cases) {
        if (again.call(right % 2 ? "ClassifyChange" : "КлассифицироватьИзменение", {Arg::S(c.remote), Arg::S(c.local), Arg::S(c.last)}, &v) && v.str == c.want) right++;
        else logf("  FAIL (%s, %s, %s) -> %s, want %s", c.remote.c_str(), c.local.c_str(), c.last.c_str(), v.str.c_str(), c.want.c_str());
    }
    EXPECT(right == int(cases.size()), "%d of %zu cases of the rule", right, cases.size());
    refused = !again.call("КлассифицироватьИзменение", {Arg::S("вчера"), Arg::S(""), Arg::S(sync_at)}, &v);
    le = again.last_error();
    EXPECT(refused && has(le, "ВремяCargoRun") && has(le, "sync.time"), "an unreadable time is refused naming «ВремяCargoRun»: %s", shorten(le, 200).c_str());

    logf("== CargoRun: an OData query described in JSON");
    long long one = atoll(seeded_ids[40].c_str());
    const std::string query = "{\"filter\":[\"and\",[\"eq\",\"number\",\"SB-" + S(one) + "\"],[\"ge\",\"updatedAt\",{\"datetime\":\"2000-01-01T00:00:00Z\"}]],"
                              "\"orderby\":[[\"updatedAt\",\"desc\"],\"id\"],\"top\":5,\"count\":true}";
    http(url, "DELETE", "/_control/requests", "");
    EXPECT(again.call("Вызвать", {Arg::S("cargorun.bids.list_for_external"), Arg::S("{\"query\":" + query + "}")}, &v) &&
               array_items(v.str).size() == 1 && int_field(v.str, "id") == one,
           "Вызвать(bids.list_for_external, {\"query\": …}): the one bid SB-%lld", one);
    reqs = http(url, "GET", "/_control/requests", "");
    EXPECT(has(reqs, "number+eq+%27SB-" + S(one) + "%27") && has(reqs, "%24orderby=updatedAt+desc%2Cid") && has(reqs, "%24top=5"),
           "sent as $filter, lower-case $orderby and $top: %s", shorten(reqs.substr(0, 600), 400).c_str());
    // The typed method takes the same description as its last parameter, «Запрос».
    long list_m = again.method("ЗаявкиДляВнешнейСистемы");
    long list_n = list_m >= 0 ? again.lang()->GetNParams(list_m) : 0;
    std::vector<Arg> list_args(size_t(list_n > 0 ? list_n - 1 : 0), Arg{VTYPE_EMPTY, "", 0, false, 0});
    list_args.push_back(Arg::S(query));
    EXPECT(list_m >= 0 && again.call("ЗаявкиДляВнешнейСистемы", list_args, &v) && array_items(v.str).size() == 1 && has(v.str, "\"SB-" + S(one) + "\""),
           "ЗаявкиДляВнешнейСистемы(…, Запрос): the same bid");
    refused = !again.call("Вызвать", {Arg::S("cargorun.bids.list_for_external"), Arg::S("{\"query\":{\"filter\":[\"eq\",\"mileage\",1.5]}}")}, &v);
    le = again.last_error();
    EXPECT(refused && has(le, "query.filter"), "a fraction without {\"decimal\"} is refused naming its JSON path: %s", shorten(le, 200).c_str());

    destroy(ex, pl2, again);
    EXPECT(mm2.live == 0, "session 9 freed all %ld strings", mm2.total.load());
    for (const char* suffix : {"", "-wal", "-shm", "-other", "-other-wal", "-other-shm"}) file_remove(store + suffix);
}

int main() {
    const char* path = getenv("LB_COMPONENT");
    const char* url = getenv("LB_CARRETA_URL");
    const char* key = getenv("LB_CARRETA_KEY");
    if (!path || !url || !key) {
        fprintf(stderr, "set LB_COMPONENT, LB_CARRETA_URL and LB_CARRETA_KEY\n");
        return 2;
    }
#ifdef _WIN32
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
        fprintf(stderr, "WSAStartup failed\n");
        return 2;
    }
    logf("== Windows host (%s, wine or Windows %lu.%lu): tVariant %zu bytes, WCHAR_T %zu bytes, long %zu bytes", sizeof(void*) == 8 ? "x86_64" : "x86",
         (unsigned long)(LOBYTE(LOWORD(GetVersion()))), (unsigned long)(HIBYTE(LOWORD(GetVersion()))), sizeof(tVariant), sizeof(WCHAR_T), sizeof(long));
#endif
    Exports ex;
    if (!load(path, ex)) return 1;

    int caps = ex.SetPlatformCapabilities(3);
    EXPECT(caps == 3, "SetPlatformCapabilities(3) -> %d", caps);
    int attach = ex.GetAttachType();
    EXPECT(attach >= 1 && attach <= 3, "GetAttachType -> %d (3 = any)", attach);
    std::string classes = u8z(ex.GetClassNames());
    EXPECT(has(classes, "Carreta"), "GetClassNames -> \"%s\"", classes.c_str());
    {
        IComponentBase* none = nullptr;
        std::u16string bad = u"NoSuchClass";
        long r = ex.GetClassObject(bad.c_str(), &none);
        EXPECT(r == 0 && none == nullptr, "GetClassObject(\"NoSuchClass\") -> %ld", r);
    }

    // ------------------------------------------------ session 1: setMemManager, then Init
    logf("== session 1: setMemManager before Init");
    MemoryManager mm1;
    Platform pl1;
    Object a;
    if (!create(ex, mm1, pl1, true, a)) return 1;
    describe_interface(a);

    logf("== properties");
    Value v;
    EXPECT(a.get("BaseUrl", &v) && v.str == "https://api.carreta.ru/v1/", "BaseUrl defaults to the production URL");
    EXPECT(a.set("АдресСервиса", Arg::S(url)), "АдресСервиса set (Russian name)");
    EXPECT(a.get("BaseUrl", &v) && v.str == url, "BaseUrl reads back (English name)");
    size_t errs = pl1.error_count();
    EXPECT(a.set("ApiKey", Arg::S(key), true), "ApiKey set (English name)");
    EXPECT(!a.lang()->IsPropReadable(a.prop("КлючAPI")), "КлючAPI is write-only: IsPropReadable -> false");
    bool readable = a.get("КлючAPI", &v);
    EXPECT(!readable && v.vt == VTYPE_EMPTY && pl1.error_count() == errs + 1, "reading КлючAPI fails, reports an error and returns nothing");
    EXPECT(a.get("Таймаут", &v) && v.vt == VTYPE_R8 && v.d == 30.0, "Таймаут defaults to 30 s");
    EXPECT(a.set("Timeout", Arg::I(20)) && a.get("Таймаут", &v) && v.d == 20.0, "Timeout set to 20 (I4) reads back as 20");
    EXPECT(!a.set("Таймаут", Arg::I(-5)), "Таймаут = -5 is refused");
    EXPECT(has(a.last_error(), "invalid_argument"), "LastError after the refused property: invalid_argument");
    EXPECT(!a.set("ПоследняяОшибка", Arg::S("x")), "ПоследняяОшибка is read-only");
    EXPECT(a.get("Version", &v) && !v.str.empty(), "Версия / Version -> %s", v.str.c_str());

    logf("== ПроверитьКоличество / CheckOrderQty (the core's rule, no network)");
    EXPECT(a.call("ПроверитьКоличество", {Arg::S("<10"), Arg::I(1), Arg::I(9)}, &v) && v.vt == VTYPE_BOOL && v.b, "\"<10\", 1, 9 -> Истина");
    EXPECT(a.call("CheckOrderQty", {Arg::S("<10"), Arg::I(1), Arg::I(10)}, &v) && v.vt == VTYPE_BOOL && !v.b, "\"<10\", 1, 10 -> Ложь");
    std::string le = a.last_error();
    EXPECT(has(le, "\"code\":\"order_qty.not_less_than_qty\"") && has(le, "\"field\":\"order_qty\"") && has(le, "строго меньше 10"),
           "LastError names the rule, the field and the Russian reason");
    EXPECT(a.call("CheckOrderQty", {Arg::S("Есть"), Arg::I(2), Arg::R(4.0)}, &v) && v.b, "\"Есть\", 2, 4.0 (R8) -> Истина");

    logf("== calls against the sandbox, by both names");
    EXPECT(a.call("Профиль", {}, &v) && v.vt == VTYPE_PWSTR && has(v.str, "\"balance\""), "Профиль() returns the profile JSON");
    EXPECT(a.call("Profile", {}, &v) && has(v.str, "\"balance\""), "Profile() (English name) returns the same");
    Value found;
    EXPECT(a.call("Поиск", {Arg::S("oc47")}, &found) && found.vt == VTYPE_PWSTR, "Поиск(\"oc47\") returns JSON");
    std::vector<std::string> offers = array_items(found.str);
    EXPECT(!offers.empty(), "the search found %zu offers", offers.size());
    EXPECT(a.call("Search", {Arg::S("OC-47")}, &v) && array_items(v.str).size() == offers.size(), "Search(\"OC-47\") (English name) finds the same offers");
    EXPECT(a.call("Вызвать", {Arg::S("carreta.search.query"), Arg::S("{\"q\":\"oc47\"}")}, &v) && v.str == found.str,
           "Вызвать(\"carreta.search.query\", {\"q\":\"oc47\"}) gives the same JSON as Поиск");

    // Pick an offer the component itself says can be ordered at its minimum quantity.
    std::string offer;
    long long min_qty = 0;
    for (const auto& o : offers) {
        std::string q = str_field(o, "qty");
        long long mq = int_field(o, "min_qty", 1);
        Value ok;
        if (a.call("ПроверитьКоличество", {Arg::S(q), Arg::I(mq), Arg::I(mq)}, &ok) && ok.b) {
            offer = o;
            min_qty = mq;
            break;
        }
    }
    EXPECT(!offer.empty(), "an orderable offer: %s x %lld", shorten(offer, 100).c_str(), min_qty);

    logf("== an order");
    Value order;
    EXPECT(a.call("СоздатьЗаказ", {Arg::S(offer), Arg::I(min_qty), Arg::S("1С-заказ-1")}, &order) && has(order.str, "\"number\""),
           "СоздатьЗаказ(offer, %lld, \"1С-заказ-1\") returns the order", min_qty);
    long long order_id = int_field(order.str, "id");
    EXPECT(order_id > 0, "order id %lld, number %s", order_id, str_field(order.str, "number").c_str());
    EXPECT(a.call("Заказы", {Arg::I(1), Arg::S("1С-заказ-1")}, &v) && array_items(v.str).size() == 1 && has(v.str, "1С-заказ-1"),
           "Заказы(1, \"1С-заказ-1\") lists exactly that order (pages are numbered from 1)");
    EXPECT(a.call("Orders", {}, &v) && array_items(v.str).size() >= 1, "Orders() with all defaults (GetParamDefValue) lists %zu", array_items(v.str).size());
    EXPECT(a.call("ПолучитьЗаказ", {Arg::I(order_id)}, &v) && int_field(v.str, "id") == order_id, "ПолучитьЗаказ(%lld)", order_id);
    EXPECT(a.call("OrderHistory", {Arg::S(std::to_string(order_id))}, &v) && v.str[0] == '[', "OrderHistory(\"%lld\") (id as a string)", order_id);
    EXPECT(a.call("Profile", {}, nullptr, true), "CallAsProc Profile (a function called as a procedure)");

    logf("== generated methods: every row of the table is a method, by both names, with its parameters");
    {
        struct Gen {
            const char* ru;
            const char* en;
            long params;
        };
        const Gen gens[] = {{"Профиль", "Profile", 1},           {"Поиск", "Search", 2},
                            {"ПолучитьЗаказ", "GetOrder", 2},    {"ИсторияЗаказа", "OrderHistory", 2},
                            {"ПроверитьКомментарий", "CheckComment", 1}, {"РазобратьПрайс", "ParsePricelist", 4},
                            {"ПроверитьКоличество", "CheckOrderQty", 3}, {"СоздатьЗаказ", "CreateOrder", 5},
                            {"Заказы", "Orders", 4},             {"СкачатьПрайс", "DownloadPricelist", 3}};
        for (const Gen& g : gens) {
            long m_ru = a.method(g.ru), m_en = a.method(g.en);
            long n = m_ru >= 0 ? a.lang()->GetNParams(m_ru) : -1;
            EXPECT(m_ru >= 0 && m_ru == m_en && n == g.params, "%s / %s: method %ld (en %ld), %ld parameters (expected %ld)", g.ru, g.en, m_ru, m_en, n,
                   g.params);
        }
    }
    EXPECT(a.call("ПолучитьЗаказ", {Arg::I(order_id), Arg::S("")}, &v) && int_field(v.str, "id") == order_id,
           "ПолучитьЗаказ(%lld, \"\"): an empty Аккаунт means \"not given\"", order_id);
    EXPECT(a.call("Профиль", {Arg::S("1002")}, &v) && has(v.str, "Автопарк"), "Профиль(\"1002\"): the common parameter Аккаунт, last of every row");
    EXPECT(a.set("Аккаунт", Arg::S("1002")) && a.call("Profile", {}, &v) && has(v.str, "Автопарк"), "Аккаунт = \"1002\" is the default of every call");
    EXPECT(a.call("Profile", {Arg::S("1001")}, &v) && has(v.str, "Иванов"), "Profile(\"1001\"): the argument wins over the property");
    EXPECT(!a.call("Профиль", {Arg::S("9999")}, &v) && has(a.last_error(), "\"status\":403"), "Профиль(\"9999\"): an unknown account -> HTTP 403");
    EXPECT(a.set("Account", Arg::S("")) && a.get("Аккаунт", &v) && v.str.empty(), "Account = \"\" clears it");
    EXPECT(a.call("ПроверитьКомментарий", {Arg::S("1С-заказ-1")}, &v) && v.vt == VTYPE_PWSTR && v.str == "true",
           "ПроверитьКомментарий(\"1С-заказ-1\") -> \"true\" (a library-side row: its JSON)");
    EXPECT(!a.call("CheckComment", {Arg::S(std::string(51, 'x'))}, &v), "CheckComment(51 characters) -> false (BSL raises)");
    le = a.last_error();
    EXPECT(has(le, "\"code\":\"client_comment.too_long\"") && has(le, "\"field\":\"client_comment\"") && has(le, "\"kind\":\"validation\""),
           "ПоследняяОшибка: %s", shorten(le, 200).c_str());
    EXPECT(a.call("Методы", {}, &v) && has(v.str, "\"prefix\":\"carreta\"") && has(v.str, "\"carreta.order.check_comment\"") &&
               has(v.str, "\"onec_ru\":\"ПроверитьКомментарий\""),
           "Методы() describes the service: its rows, parameters and 1C names (%zu bytes)", v.str.size());
    EXPECT(!a.call("Вызвать", {Arg::S("carreta.search.query"), Arg::S("{\"q\":\"oc47\",\"colour\":\"red\"}")}, &v),
           "Вызвать with an unknown parameter -> false, nothing sent");
    le = a.last_error();
    EXPECT(has(le, "\"field\":\"colour\"") && has(le, "\"code\":\"param.unknown\"") && has(le, "q, account"),
           "ПоследняяОшибка names the parameter and lists those that exist: %s", shorten(le, 260).c_str());
    EXPECT(!a.call("Заказы", {Arg::I(-1)}, &v) && has(a.last_error(), "\"field\":\"page\"") && has(a.last_error(), "«Страница»"),
           "Заказы(-1) -> false: the core's range check, with the 1C name of the parameter");
    EXPECT(!a.call("ПолучитьЗаказ", {Arg::R(1.5)}, &v) && has(a.last_error(), "\"code\":\"param.integer\""), "ПолучитьЗаказ(1.5) -> false, param.integer");

    logf("== ПрайсВJSONL / PricelistToJsonl: a supplier price list (CP1251 CSV) to JSON Lines");
    {
        std::string got = http(url, "GET", "/carreta/pricelist.csv?rows=300", "");
        std::string csv = got.size() > 4 ? got.substr(4) : "";
        EXPECT(got.compare(0, 3, "200") == 0 && csv.size() > 1000, "sandbox price list downloaded: %zu bytes", csv.size());
        // A folder with Cyrillic letters in its name (on Windows only the wide-character file
        // functions open it), and the list saved with CRLF line endings as a Windows editor
        // saves it.
        const std::string dir = make_temp_dir("lb1c-прайс-");
        const bool made = !dir.empty();
        std::string in = dir + "/прайс.csv", out = dir + "/прайс.jsonl";
        std::string crlf;
        for (size_t k = 0; k < csv.size(); k++) {
            if (csv[k] == '\n' && (k == 0 || csv[k - 1] != '\r')) crlf += '\r';
            crlf += csv[k];
        }
        EXPECT(made && write_file(in, crlf), "the list saved with CRLF endings as %s", in.c_str());
        Value summary;
        EXPECT(a.call("ПрайсВJSONL", {Arg::S(in), Arg::S(out), Arg::B(true)}, &summary) && int_field(summary.str, "rows_ok") > 0,
               "ПрайсВJSONL(price.csv, price.jsonl, Истина) -> rows_ok %lld, rows_bad %lld", int_field(summary.str, "rows_ok"),
               int_field(summary.str, "rows_bad"));
        long lines = 0, returns = 0;
        for (char ch : read_file(out)) {
            lines += ch == '\n';
            returns += ch == '\r';
        }
        EXPECT(lines == int_field(summary.str, "rows_ok") && returns == 0, "прайс.jsonl has %ld lines, one per good row, each ending in LF alone (%ld CR)",
               lines, returns);
        EXPECT(!a.call("PricelistToJsonl", {Arg::S(dir + "/missing.csv"), Arg::S(out)}, &v) && !a.last_error().empty(),
               "a missing file -> false with ПоследняяОшибка");
        {
            // A row added to the core's table after this harness was written is a method
            // all the same: carreta.pricelist.download -> СкачатьПрайс / DownloadPricelist.
            std::string root = url;
            std::string link = root.substr(0, root.find("/carreta/v1/")) + "/carreta/pricelist.csv?rows=300";
            std::string saved = dir + "/скачанный.csv";
            long dl = a.method("СкачатьПрайс");
            EXPECT(dl >= 0 && dl == a.method("DownloadPricelist"), "СкачатьПрайс / DownloadPricelist: method %ld, %ld parameters", dl,
                   dl >= 0 ? a.lang()->GetNParams(dl) : -1);
            bool got_it = a.call("СкачатьПрайс", {Arg::S(link), Arg::S(saved)}, &v);
            long size = -1;
            if (FILE* d = file_open(saved, "rb")) {
                fseek(d, 0, SEEK_END);
                size = ftell(d);
                fclose(d);
            }
            EXPECT(got_it && size == long(csv.size()), "СкачатьПрайс(link, path) saved %ld bytes (the sandbox sent %zu): %s", size, csv.size(),
                   shorten(v.str, 120).c_str());
            file_remove(saved);
        }
        EXPECT(a.call("РазобратьПрайс", {Arg::S(in), Arg::I(10), Arg::I(5)}, &v) && has(v.str, "\"rows\":[{") && has(v.str, "\"next_offset\":15"),
               "РазобратьПрайс(price.csv, 10, 5) (a generated library-side row): a page of rows, next_offset 15");
        EXPECT(a.call("ParsePricelist", {Arg::S(in)}, &v) && has(v.str, "\"next_offset\":null") && has(v.str, "\"summary\":{"),
               "ParsePricelist(price.csv) with the row's defaults (0, 1000): the whole list, next_offset null");
        file_remove(in);
        file_remove(out);
        EXPECT(dir_remove(dir) == 0, "the folder is empty again and removed: the component left no temporary file");
    }

    logf("== error paths");
    size_t before = pl1.error_count();
    EXPECT(!a.call("СоздатьЗаказ", {Arg::S(offer), Arg::I(100000)}, &v) && v.vt == VTYPE_EMPTY, "СоздатьЗаказ with 100000 pieces -> false (BSL raises)");
    ErrorRecord er = pl1.last_error_record();
    EXPECT(pl1.error_count() == before + 1 && er.code == 1004 && has(er.descr, "order_qty") && er.source == "LogiBridge.Carreta",
           "AddError recorded: code %u, source %s, text \"%s\"", er.code, er.source.c_str(), shorten(er.descr).c_str());
    le = a.last_error();
    EXPECT(has(le, "\"code\":\"order_qty.") && has(le, "\"field\":\"order_qty\"") && has(le, "\"status\":null") && has(le, "\"message_ru\":\"order_qty: "),
           "ПоследняяОшибка: %s", shorten(le, 400).c_str());
    EXPECT(a.call("Профиль", {}, &v) && a.last_error().empty(), "a successful call clears ПоследняяОшибка");
    EXPECT(!a.call("Вызвать", {Arg::S("carreta.order.delete"), Arg::S("{}")}, &v), "Вызвать with an unknown id -> false");
    le = a.last_error();
    EXPECT(has(le, "invalid_argument") && has(le, "carreta.order.get"), "the error lists the ids that exist: %s", shorten(le, 200).c_str());
    EXPECT(!a.call("Call", {Arg::S("carreta.search.query"), Arg::S("{not json")}, &v) && has(a.last_error(), "invalid_argument"),
           "Call with broken JSON -> false, invalid_argument");
    EXPECT(!a.call("Поиск", {Arg::B(true)}, &v) && has(a.last_error(), "Булево"), "Поиск(Истина) -> false, the error names the type");
    EXPECT(!a.call("Поиск", {}, &v), "Поиск without its required parameter -> false");
    EXPECT(a.set("КлючAPI", Arg::S("wrong-key"), true), "КлючAPI set to a wrong key");
    EXPECT(!a.call("Профиль", {}, &v), "Профиль with a wrong key -> false");
    le = a.last_error();
    EXPECT(has(le, "\"status\":401") && has(le, "\"code\":\"auth\"") && !has(le, "wrong-key"), "HTTP 401 in ПоследняяОшибка, key not echoed: %s",
           shorten(le, 300).c_str());
    er = pl1.last_error_record();
    EXPECT(has(er.descr, "401") || has(er.descr, "авторизации"), "AddError text: \"%s\"", shorten(er.descr).c_str());
    EXPECT(a.set("ApiKey", Arg::S(key), true), "ApiKey restored");

    logf("== asynchronous calls: a burst of 6, results through ExternalEvent");
    const int burst = 6;
    std::vector<long long> numbers;
    for (int k = 0; k < burst - 1; k++) {
        Value n;
        a.call(k % 2 ? "CallAsync" : "ВызватьАсинх", {Arg::S("carreta.search.query"), Arg::S("{\"q\":\"oc47\"}")}, &n);
        numbers.push_back(n.i);
    }
    Value bad;
    a.call("ВызватьАсинх", {Arg::S("carreta.search.query"), Arg::S("{\"nope\":1}")}, &bad);  // unknown parameter: the core says no
    numbers.push_back(bad.i);
    EXPECT(numbers.size() == burst && numbers.front() >= 1 && numbers.back() == numbers.front() + burst - 1, "request numbers %lld..%lld returned at once",
           numbers.front(), numbers.back());
    EXPECT(pl1.depth >= burst, "the component raised the event buffer depth to %ld", pl1.depth);
    bool all = pl1.wait_posted(burst, 60);
    std::vector<Event> events = pl1.drain();
    EXPECT(all && events.size() == burst && pl1.dropped == 0, "%zu events arrived, %ld dropped", events.size(), pl1.dropped);
    int good = 0, failed = 0;
    for (const auto& e : events) {
        bool is_ok = has(e.data, "\"ok\":true");
        long long req = int_field(e.data, "request");
        bool matches = e.source == "LogiBridge" && std::to_string(req) == e.message;
        if (is_ok && has(e.data, "\"result\":[") && matches) good++;
        if (!is_ok && has(e.data, "\"error\":{") && matches) failed++;
        logf("  ОбработкаВнешнегоСобытия(\"%s\", \"%s\", %s)", e.source.c_str(), e.message.c_str(), shorten(e.data, 120).c_str());
    }
    EXPECT(good == burst - 1 && failed == 1, "%d results and %d error delivered, each event named by its request number", good, failed);

    logf("== an asynchronous call still running at Done: its result must be dropped");
    // The sandbox holds the next profile request for 1.5 s, so the answer surely comes
    // after Done and DestroyObject.
    std::string fault = http(url, "POST", "/_control/faults", "{\"path_prefix\":\"/carreta/v1/profile\",\"delay_ms\":1500,\"count\":1}");
    EXPECT(fault.compare(0, 1, "2") == 0, "sandbox: profile answers delayed by 1.5 s (%s)", fault.substr(0, 3).c_str());
    http(url, "DELETE", "/_control/requests", "");
    Value late;
    a.call("CallAsync", {Arg::S("carreta.profile.get"), Arg::S("")}, &late);
    destroy(ex, pl1, a);
    bool answered = false;
    for (int k = 0; k < 100 && !answered; k++) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        answered = has(http(url, "GET", "/_control/requests", ""), "/carreta/v1/profile");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // let the task post (and drop) its event
    EXPECT(answered, "the sandbox answered the delayed call after Done");
    EXPECT(pl1.late_calls() == 0, "its result was dropped: no call reached the platform after Done (%ld)", pl1.late_calls());
    EXPECT(mm1.live == 0, "every string handed to the platform was freed by it: %ld allocations, %ld live", mm1.total.load(), mm1.live.load());

    // ------------------------------------------------ session 2: Init, then setMemManager
    logf("== session 2: Init before setMemManager");
    MemoryManager mm2;
    Platform pl2;
    Object b;
    if (!create(ex, mm2, pl2, false, b)) return 1;
    EXPECT(b.set("BaseUrl", Arg::S(url)) && b.set("КлючAPI", Arg::S(key), true), "BaseUrl and КлючAPI set");
    EXPECT(b.call("Search", {Arg::S("oc47")}, &v) && array_items(v.str).size() == offers.size(), "Search(\"oc47\") works in this order too");
    EXPECT(!b.call("Вызвать", {Arg::S("carreta.order.get"), Arg::S("{\"id\":999999999}")}, &v), "Вызвать(carreta.order.get, unknown id) -> false");
    le = b.last_error();
    EXPECT(has(le, "\"status\":404"), "ПоследняяОшибка: HTTP 404: %s", shorten(le, 200).c_str());
    Value n2;
    EXPECT(b.call("ВызватьАсинх", {Arg::S("carreta.profile.get")}, &n2) && n2.i == 1, "ВызватьАсинх with its default ПараметрыJSON -> request 1");
    EXPECT(pl2.wait_posted(1, 60), "the event arrived");
    auto ev2 = pl2.drain();
    EXPECT(ev2.size() == 1 && has(ev2[0].data, "\"balance\""), "profile through ОбработкаВнешнегоСобытия");
    destroy(ex, pl2, b);
    EXPECT(mm2.live == 0, "session 2 freed all %ld strings", mm2.total.load());

    // ------------------------------------------------ session 3: DestroyObject without Done
    logf("== session 3: DestroyObject without Done while a call runs");
    MemoryManager mm3;
    Platform pl3;
    Object c;
    if (!create(ex, mm3, pl3, true, c)) return 1;
    c.set("BaseUrl", Arg::S(url));
    c.set("ApiKey", Arg::S(key), true);
    Value n3;
    c.call("CallAsync", {Arg::S("carreta.search.query"), Arg::S("{\"q\":\"oc47\"}")}, &n3);
    long r = ex.DestroyObject(&c.base);
    pl3.mark_done();
    EXPECT(r == 0, "DestroyObject -> %ld", r);
    std::this_thread::sleep_for(std::chrono::seconds(3));
    EXPECT(pl3.late_calls() == 0, "no call reached the platform after the object was destroyed");

    // ------------------------------------------------ session 4: the generic class Client
    logf("== session 4: Client — a service declared at run time, served by this test");
    TinyServer srv;
    const std::string token = "t0ken-canary-4711";
    EXPECT(srv.start(token), "TinyServer listening on 127.0.0.1:%d", srv.port);
    const std::string base = "http://127.0.0.1:" + std::to_string(srv.port) + "/api";
    const std::string desc = R"({"prefix": "onectest", "name": "OnecTest", "default_base_url": "http://127.0.0.1:9/nowhere/",
  "auth": {"kind": "bearer", "credential": "token"},
  "credentials": [{"name": "token", "onec_en": "Token", "onec_ru": "Токен"}],
  "endpoints": [
    {"id": "onectest.item.get", "method": "GET", "path": "items/{id}", "names": {"onec_en": "GetItem", "onec_ru": "ПолучитьТовар"},
     "params": [{"name": "id", "in": "path", "type": "integer", "required": true, "min": 1, "name_ru": "Номер"}]},
    {"id": "onectest.item.list", "method": "GET", "path": "items",
     "params": [{"name": "tag", "in": "query", "type": "string", "repeated": true, "name_ru": "Метка"}]},
    {"id": "onectest.item.create", "method": "POST", "path": "items",
     "params": [{"name": "name", "in": "body_field", "type": "string", "required": true, "name_ru": "Наименование"},
                {"name": "qty", "in": "body_field", "type": "integer", "min": 1, "default": 1, "name_ru": "Количество"}]}]})";
    MemoryManager mm4;
    Platform pl4;
    Object cl;
    if (!create(ex, mm4, pl4, true, cl, "Client")) return 1;
    describe_interface(cl, 5);
    EXPECT(cl.get("Сервис", &v) && v.vt == VTYPE_PWSTR && v.str.empty(), "Сервис is empty at first");
    EXPECT(!cl.call("Вызвать", {Arg::S("onectest.item.get"), Arg::S("{\"id\":1}")}, &v) && has(cl.last_error(), "\"field\":\"service\""),
           "Вызвать before a service is chosen -> false, field \"service\"");
    // (A description refused after its prefix was read leaks a few bytes inside the core's
    // endpoints::register; this one is refused before anything is kept.)
    EXPECT(!cl.call("ЗарегистрироватьСервис", {Arg::S(R"({"prefix":"OneC Test","name":"X","endpoints":[]})")}, &v) &&
               has(cl.last_error(), "OneC Test") && has(cl.last_error(), "prefix"),
           "a description with a bad prefix is refused, naming it");
    EXPECT(cl.call("ЗарегистрироватьСервис", {Arg::S(desc)}, &v) && v.str == "onectest", "ЗарегистрироватьСервис(description) -> \"onectest\"");
    EXPECT(cl.get("Service", &v) && v.str == "onectest", "Service was empty, so it is now \"onectest\"");
    EXPECT(cl.call("RegisterService", {Arg::S(desc)}, &v) && v.str == "onectest", "the same description again (a form opened twice) -> the same service");
    EXPECT(cl.call("Методы", {}, &v) && has(v.str, "\"onectest.item.list\"") && has(v.str, "\"carreta.order.get\"") && has(v.str, "\"name_ru\":\"Метка\""),
           "Методы() lists every service, the new one included (%zu bytes)", v.str.size());
    EXPECT(cl.get("АдресСервиса", &v) && v.str == "http://127.0.0.1:9/nowhere/", "АдресСервиса defaults to the description's URL");
    bool refused = !cl.call("Вызвать", {Arg::S("onectest.item.get"), Arg::S("{\"id\":42}")}, &v);
    le = cl.last_error();
    EXPECT(refused && has(le, "\"field\":\"token\"") && has(le, "Токен"), "without its token -> false: %s", shorten(le, 200).c_str());
    EXPECT(cl.call("УстановитьПараметр", {Arg::S("token"), Arg::S(token)}, &v) && v.vt == VTYPE_BOOL && v.b, "УстановитьПараметр(\"token\", …) -> Истина");
    EXPECT(!cl.call("SetOption", {Arg::S("timeout"), Arg::I(0)}, &v) && has(cl.last_error(), "\"code\":\"option.timeout\""),
           "SetOption(\"timeout\", 0) -> false: the core's limits");
    refused = !cl.call("SetOption", {Arg::S("colour"), Arg::S("red")}, &v);
    le = cl.last_error();
    EXPECT(refused && has(le, "\"field\":\"colour\"") && has(le, "\"code\":\"option.unknown\""), "SetOption(\"colour\", …) -> false: %s",
           shorten(le, 200).c_str());
    EXPECT(cl.set("АдресСервиса", Arg::S(base)) && cl.get("BaseUrl", &v) && v.str == base, "АдресСервиса = %s", base.c_str());
    EXPECT(cl.set("Таймаут", Arg::R(5.5)) && cl.get("Timeout", &v) && v.d == 5.5, "Таймаут = 5.5 reads back");
    srv.take();

    logf("== the three rows of onectest through Вызвать");
    EXPECT(cl.call("Вызвать", {Arg::S("onectest.item.get"), Arg::S("{\"id\":42}")}, &v) && has(v.str, "\"name\":\"Item 42\""),
           "GET with a path parameter -> the handler's answer");
    std::vector<Seen> seen = srv.take();
    EXPECT(seen.size() == 1 && seen[0].method == "GET" && seen[0].target == "/api/items/42" && seen[0].auth == "Bearer " + token,
           "the handler got %s %s with the bearer token", seen.empty() ? "-" : seen[0].method.c_str(), seen.empty() ? "-" : seen[0].target.c_str());
    EXPECT(cl.call("Вызвать", {Arg::S("onectest.item.list"), Arg::S("{\"tag\":[\"a\",\"b\"]}")}, &v) && array_items(v.str).size() == 2,
           "GET list with a repeated query parameter -> 2 items");
    seen = srv.take();
    EXPECT(seen.size() == 1 && seen[0].target == "/api/items?tag=a&tag=b", "the handler got %s", seen.empty() ? "-" : seen[0].target.c_str());
    EXPECT(cl.call("Call", {Arg::S("onectest.item.list"), Arg::S("{\"tag\":\"solo\"}")}, &v) && has(v.str, "\"tag\":\"solo\""), "one value of a repeated parameter");
    seen = srv.take();
    EXPECT(seen.size() == 1 && seen[0].target == "/api/items?tag=solo", "the handler got %s", seen.empty() ? "-" : seen[0].target.c_str());
    EXPECT(cl.call("Вызвать", {Arg::S("onectest.item.create"), Arg::S("{\"name\":\"Болт М8\",\"qty\":3}")}, &v) && int_field(v.str, "id") == 7,
           "POST with body fields -> the created item");
    seen = srv.take();
    EXPECT(seen.size() == 1 && seen[0].method == "POST" && seen[0].target == "/api/items" && has(seen[0].body, "\"name\":\"Болт М8\"") &&
               has(seen[0].body, "\"qty\":3") && seen[0].auth == "Bearer " + token,
           "the handler got POST /api/items with the body %s", seen.empty() ? "-" : seen[0].body.c_str());
    EXPECT(cl.call("Вызвать", {Arg::S("onectest.item.create"), Arg::S("{\"name\":\"Шайба\"}")}, &v) && has(v.str, "\"qty\":1"),
           "the row's default of qty (1) is sent: %s", shorten(v.str).c_str());
    srv.take();

    logf("== refused before sending");
    EXPECT(!cl.call("Вызвать", {Arg::S("onectest.item.get"), Arg::S("{\"id\":1,\"colour\":\"red\"}")}, &v), "an unknown parameter -> false (BSL raises)");
    le = cl.last_error();
    EXPECT(has(le, "\"field\":\"colour\"") && has(le, "\"code\":\"param.unknown\"") && has(le, "\"endpoint\":\"onectest.item.get\""),
           "ПоследняяОшибка: field = the unknown name: %s", shorten(le, 260).c_str());
    EXPECT(!cl.call("Вызвать", {Arg::S("onectest.item.create"), Arg::S("{\"name\":\"x\",\"qty\":0}")}, &v) &&
               has(cl.last_error(), "\"code\":\"param.min\"") && has(cl.last_error(), "\"field\":\"qty\""),
           "qty 0 -> false: param.min");
    EXPECT(!cl.call("Вызвать", {Arg::S("onectest.item.create"), Arg::S("{\"qty\":2}")}, &v) && has(cl.last_error(), "\"code\":\"param.required\""),
           "no name -> false: param.required");
    EXPECT(!cl.call("Вызвать", {Arg::S("carreta.profile.get"), Arg::S("")}, &v) && has(cl.last_error(), "onectest"),
           "an id of another service -> false");
    EXPECT(srv.take().empty(), "none of the refused calls reached the handler");

    logf("== ВызватьАсинх on the registered service");
    Value n4;
    EXPECT(cl.call("ВызватьАсинх", {Arg::S("onectest.item.get"), Arg::S("{\"id\":5}")}, &n4) && n4.i == 1, "ВызватьАсинх -> request 1");
    EXPECT(pl4.wait_posted(1, 60), "the event arrived");
    std::vector<Event> ev4 = pl4.drain();
    EXPECT(ev4.size() == 1 && has(ev4[0].data, "\"ok\":true") && has(ev4[0].data, "Item 5") && ev4[0].message == "1",
           "ОбработкаВнешнегоСобытия(\"LogiBridge\", \"1\", %s)", ev4.empty() ? "-" : shorten(ev4[0].data, 120).c_str());
    srv.take();

    logf("== a wrong token");
    const std::string wrong = "wr0ng-canary-0815";
    EXPECT(cl.call("SetOption", {Arg::S("token"), Arg::S(wrong)}, &v), "SetOption(\"token\", a wrong one)");
    EXPECT(!cl.call("Вызвать", {Arg::S("onectest.item.get"), Arg::S("{\"id\":42}")}, &v), "Вызвать -> false");
    le = cl.last_error();
    EXPECT(has(le, "\"status\":401") && has(le, "\"code\":\"auth\"") && !has(le, wrong) && !has(le, token),
           "HTTP 401 in ПоследняяОшибка, no token in it: %s", shorten(le, 260).c_str());
    seen = srv.take();
    EXPECT(!seen.empty() && seen[0].auth == "Bearer " + wrong, "the handler saw the wrong token (%zu request(s))", seen.size());

    logf("== the class generated for the registered service: AddIn.LogiBridge.OnecTest");
    MemoryManager mm5;
    Platform pl5;
    Object gen;
    if (!create(ex, mm5, pl5, false, gen, "OnecTest")) return 1;
    long gi = gen.method("ПолучитьТовар"), li = gen.method("ItemList"), ci = gen.method("ItemCreate");
    EXPECT(gi >= 0 && gi == gen.method("GetItem") && gen.lang()->GetNParams(gi) == 1, "ПолучитьТовар / GetItem (the row's names), 1 parameter");
    EXPECT(li >= 0 && gen.lang()->GetNParams(li) == 1 && ci >= 0 && gen.lang()->GetNParams(ci) == 2,
           "ItemList (1 parameter) and ItemCreate (2): rows without 1C names are named from their ids");
    EXPECT(gen.prop("Token") >= 0 && gen.prop("Token") == gen.prop("Токен") && !gen.lang()->IsPropReadable(gen.prop("Токен")),
           "Токен / Token: the secret credential is a write-only property");
    EXPECT(gen.set("АдресСервиса", Arg::S(base)) && gen.set("Токен", Arg::S(token), true), "АдресСервиса and Токен set");
    EXPECT(gen.call("ПолучитьТовар", {Arg::I(43)}, &v) && has(v.str, "Item 43"), "ПолучитьТовар(43)");
    EXPECT(gen.call("ItemList", {Arg::S("[\"x\",\"y\"]")}, &v) && array_items(v.str).size() == 2, "ItemList(\"[\"\"x\"\",\"\"y\"\"]\"): JSON array text for a repeated parameter");
    EXPECT(gen.call("ItemCreate", {Arg::S("Гайка")}, &v) && has(v.str, "\"qty\":1"), "ItemCreate(\"Гайка\"): Количество takes the row's default");
    seen = srv.take();
    EXPECT(seen.size() == 3 && seen[0].target == "/api/items/43" && seen[1].target == "/api/items?tag=x&tag=y" && seen[2].method == "POST" &&
               has(seen[2].body, "Гайка"),
           "the handler got the three calls (%zu)", seen.size());
    EXPECT(!gen.call("ПолучитьТовар", {Arg::I(0)}, &v) && has(gen.last_error(), "«Номер»") && has(gen.last_error(), "\"code\":\"param.min\""),
           "ПолучитьТовар(0) -> false, the message names «Номер»");
    EXPECT(srv.take().empty(), "the refused call was not sent");
    destroy(ex, pl5, gen);
    EXPECT(mm5.live == 0, "the generated class freed all %ld strings", mm5.total.load());
    destroy(ex, pl4, cl);
    EXPECT(mm4.live == 0, "session 4 freed all %ld strings", mm4.total.load());
    srv.stop();

    // ------------------------------------------------ session 6: hardening (issue 10)
    logf("== session 6: hardening — NULL strings, АдресСервиса, page numbers, ПрайсВJSONL (issue 10)");
    {
        const char* (*lb_build)() = reinterpret_cast<const char* (*)()>(lib_sym(ex.lib, "LogiBridgeBuild"));
        std::string build = lb_build ? lb_build() : "";
        EXPECT(has(build, "debug-assertions=off") && !has(build, "opt-level=0") && has(build, "opt-level="),
               "the packaged library is an optimised release build: LogiBridgeBuild -> \"%s\"", build.c_str());
    }
    MemoryManager mm6;
    Platform pl6;
    Object h;
    if (!create(ex, mm6, pl6, true, h)) return 1;
    EXPECT(h.set("АдресСервиса", Arg::S(url)) && h.set("КлючAPI", Arg::S(key), true), "АдресСервиса (sandbox) and КлючAPI set");

    logf("== item 10: NULL string and binary variants are empty values, in every method and property setter");
    {
        const uint16_t kinds[] = {VTYPE_PWSTR, VTYPE_PSTR, VTYPE_BLOB};
        const char* kind_names[] = {"PWSTR", "PSTR", "BLOB"};
        MemoryManager mmc;
        Platform plc;
        Object gc;
        if (!create(ex, mmc, plc, true, gc, "Client")) return 1;
        struct Target {
            Object* obj;
            const char* cls;
        };
        const Target targets[] = {{&h, "Carreta"}, {&gc, "Client"}};
        for (const Target& t : targets) {
            long nm = t.obj->lang()->GetNMethods();
            int calls = 0, internal = 0, silent = 0;
            for (long m = 0; m < nm; m++) {
                long np = t.obj->lang()->GetNParams(m);
                for (int kk = 0; kk < 3; kk++) {
                    // Every parameter NULL at once, then each one alone (the others default).
                    std::vector<std::vector<tVariant>> shapes;
                    shapes.push_back(std::vector<tVariant>(size_t(np), null_variant(kinds[kk])));
                    for (long k = 0; k < np && np > 1; k++) {
                        std::vector<tVariant> one;
                        for (long j = 0; j < k; j++) {
                            tVariant d;
                            memset(&d, 0, sizeof d);
                            t.obj->lang()->GetParamDefValue(m, j, &d);
                            one.push_back(d);
                        }
                        one.push_back(null_variant(kinds[kk]));
                        shapes.push_back(one);
                    }
                    for (auto& shape : shapes) {
                        Value r;
                        bool ok = t.obj->call_raw(m, shape, &r);
                        for (auto& d : shape) clear(*t.obj->mm, d);
                        calls++;
                        std::string le = t.obj->last_error();
                        if (has(le, "\"code\":\"internal\"")) internal++;
                        if (!ok && le.empty()) silent++;
                    }
                }
            }
            EXPECT(calls > 0 && internal == 0 && silent == 0,
                   "%s: %d calls of its %ld methods with NULL PWSTR/PSTR/BLOB parameters returned, no internal error, every refusal explained "
                   "(internal %d, unexplained %d)",
                   t.cls, calls, nm, internal, silent);
            long np = t.obj->lang()->GetNProps();
            int sets = 0, bad = 0;
            for (long p = 0; p < np; p++) {
                if (!t.obj->lang()->IsPropWritable(p)) continue;
                for (int kk = 0; kk < 3; kk++) {
                    bool ok = t.obj->set_raw(p, null_variant(kinds[kk]));
                    std::string le = t.obj->last_error();
                    sets++;
                    if (has(le, "\"code\":\"internal\"") || (!ok && le.empty())) bad++;
                    logf("  SetPropVal(%ld, NULL %s) -> %s %s", p, kind_names[kk], ok ? "true" : "false", shorten(le, 120).c_str());
                }
            }
            EXPECT(sets > 0 && bad == 0, "%s: %d property assignments of NULL PWSTR/PSTR/BLOB returned, none internal or unexplained", t.cls, sets);
        }
        EXPECT(gc.lang()->FindMethod(nullptr) == -1 && gc.lang()->FindProp(nullptr) == -1, "FindMethod(NULL) and FindProp(NULL) -> -1");
        destroy(ex, plc, gc);
        EXPECT(mmc.live == 0, "the Client object freed all %ld strings", mmc.total.load());
        // The NULL assignments above may have cleared the key or refused the address: set both again.
        EXPECT(h.set("АдресСервиса", Arg::S(url)) && h.set("КлючAPI", Arg::S(key), true), "АдресСервиса and КлючAPI set again");
        EXPECT(h.call("Профиль", {}, &v) && has(v.str, "\"balance\""), "the object still works after the NULL calls");
        long search = h.method("Поиск");
        Value r;
        EXPECT(!h.call_raw(search, {null_variant(VTYPE_PWSTR)}, &r) && has(h.last_error(), "\"field\":\"q\""),
               "Поиск(NULL PWSTR) -> false: an empty query, the core's required-parameter error: %s", shorten(h.last_error(), 160).c_str());
    }

    logf("== item 12: АдресСервиса is checked on assignment and never falls back to the production address");
    {
        tVariant undefined = null_variant(VTYPE_EMPTY);
        bool ok = h.set_raw(h.prop("АдресСервиса"), undefined);
        std::string le = h.last_error();
        EXPECT(!ok && has(le, "\"field\":\"base_url\"") && has(le, "https://api.carreta.ru/v1/"),
               "АдресСервиса = Неопределено -> false (BSL raises): %s", shorten(le, 300).c_str());
        EXPECT(h.get("АдресСервиса", &v) && v.str == url, "… and the address is still the sandbox's, not production");
        const char* bad_urls[] = {"", "   ", "not a url", "ftp://x/", "http://[::1/v1/"};
        for (const char* b : bad_urls) {
            bool refused = !h.set("BaseUrl", Arg::S(b));
            std::string e = h.last_error();
            EXPECT(refused && has(e, "base_url") && h.get("BaseUrl", &v) && v.str == url, "BaseUrl = \"%s\" -> false on assignment, address unchanged: %s", b,
                   shorten(e, 200).c_str());
        }
        EXPECT(!h.set("BaseUrl", Arg::B(true)) && h.get("BaseUrl", &v) && v.str == url, "BaseUrl = Истина -> false, address unchanged");
        EXPECT(h.call("Профиль", {}, &v) && has(v.str, "\"balance\""), "the next call still goes to the sandbox");
    }

    logf("== item 13: Заказы pages are numbered from 1; 0 or less is refused, naming «Страница»");
    {
        Value p1, p2, dflt;
        EXPECT(h.call("Заказы", {Arg::I(1)}, &p1) && p1.str[0] == '[', "Заказы(1): the first page (%zu orders)", array_items(p1.str).size());
        EXPECT(h.call("Заказы", {}, &dflt) && dflt.str == p1.str, "Заказы() with its default Страница = 1 gives the same page");
        tVariant def;
        memset(&def, 0, sizeof def);
        long om = h.method("Заказы");
        EXPECT(h.lang()->GetParamDefValue(om, 0, &def) && def.vt == VTYPE_I4 && def.lVal == 1, "GetParamDefValue(Заказы, Страница) -> 1");
        EXPECT(h.call("Заказы", {Arg::I(2)}, &p2) && (p1.str == "[]" || p2.str != p1.str),
               "Заказы(2) is not the first page again (a loop from 1 never gets page 1 twice)");
        const long long bad_pages[] = {0, -1, -100};
        for (long long pg : bad_pages) {
            bool refused = !h.call("Заказы", {Arg::I(pg)}, &v);
            std::string e = h.last_error();
            ErrorRecord er = pl6.last_error_record();
            EXPECT(refused && has(e, "\"field\":\"page\"") && has(e, "\"code\":\"param.min\"") && has(e, "«Страница»") && has(er.descr, "не меньше 1"),
                   "Заказы(%lld) -> false: %s", pg, shorten(er.descr, 200).c_str());
        }
        EXPECT(!h.call("Вызвать", {Arg::S("carreta.order.list"), Arg::S("{\"page\":0}")}, &v) && has(h.last_error(), "\"code\":\"param.min\""),
               "Вызвать(carreta.order.list, {\"page\":0}) -> false, the same rule");
        EXPECT(h.call("Вызвать", {Arg::S("carreta.order.list"), Arg::S("{\"page\":1}")}, &v) && v.str == p1.str,
               "Вызвать(carreta.order.list, {\"page\":1}) is Заказы(1)");
    }

    logf("== item 11: ПрайсВJSONL never overwrites its input");
    {
        const std::string d = make_temp_dir("lb1c-тот-же-");
        const bool made = !d.empty();
        std::string got = http(url, "GET", "/carreta/pricelist.csv?rows=50", "");
        std::string csv = got.size() > 4 ? got.substr(4) : "";
        std::string in = d + "/price.csv", link = d + "/link.csv", hard = d + "/hard.csv", out = d + "/price.jsonl";
#ifdef _WIN32
        // Links need privileges on Windows; the same file is reached by other spellings of
        // its path instead: backslashes, and letters in another case (names ignore case).
        std::string backslashed = in;
        for (auto& c : backslashed) if (c == '/') c = '\\';
        EXPECT(made && csv.size() > 100 && write_file(in, csv), "a price list (%zu bytes)", csv.size());
        link = in;
        const std::string same[] = {in, backslashed, d + "/PRICE.CSV", d + "/./price.csv", d + "/../" + d.substr(d.rfind('/') + 1) + "/price.csv"};
#else
        EXPECT(made && csv.size() > 100 && write_file(in, csv) && symlink(in.c_str(), link.c_str()) == 0 && ::link(in.c_str(), hard.c_str()) == 0,
               "a price list (%zu bytes), a symbolic and a hard link to it", csv.size());
        const std::string same[] = {in, link, hard, d + "/./price.csv", d + "/../" + d.substr(d.rfind('/') + 1) + "/price.csv"};
#endif
        for (const std::string& o : same) {
            bool refused = !h.call("ПрайсВJSONL", {Arg::S(in), Arg::S(o), Arg::B(true)}, &v);
            std::string e = h.last_error();
            EXPECT(refused && has(e, "тот же файл") && read_file(in) == csv, "ПрайсВJSONL(price.csv, %s) -> false, the input intact: %s",
                   o.substr(d.size()).c_str(), shorten(e, 160).c_str());
        }
        EXPECT(!h.call("PricelistToJsonl", {Arg::S(link), Arg::S(in)}, &v) && read_file(in) == csv, "PricelistToJsonl(link, price.csv) -> false, intact");
        EXPECT(write_file(out, "previous result\n"), "a previous result in price.jsonl");
        std::string broken = d + "/broken.csv";
        write_file(broken, "Бренд;Артикул;Наименование;Цена;Количество\r\nMANN;X1;Фильтр;не цена;5\r\n");
        EXPECT(!h.call("ПрайсВJSONL", {Arg::S(broken), Arg::S(out)}, &v) && read_file(out) == "previous result\n",
               "a conversion that fails keeps the previous result");
        EXPECT(h.call("ПрайсВJSONL", {Arg::S(in), Arg::S(out)}, &v) && int_field(v.str, "rows_ok") > 0 && read_file(out) != "previous result\n" && !read_file(out).empty(),
               "a good one replaces it: rows_ok %lld", int_field(v.str, "rows_ok"));
        int leftovers = 0;
        for (const std::string& name : dir_list(d)) leftovers += has(name, ".tmp");
        EXPECT(leftovers == 0, "no temporary file left behind");
        for (const std::string& f : {in, link, hard, out, broken}) file_remove(f);
        dir_remove(d);
    }
    logf("== items 2-5: a canary key in every encoding stays out of ПоследняяОшибка and the platform's error text");
    {
        const std::string canary = "CANARY+abc/123=";
        const std::string forms[] = {canary, "CANARY%2Babc%2F123%3D", "CANARY%2babc%2f123%3d", "%43%41%4E%41%52%59%2B%61%62%63%2F%31%32%33%3D",
                                     "CANARY abc/123=", "Q0FOQVJZK2FiYy8xMjM9", "43414e4152592b6162632f3132333d"};
        auto leaked = [&](const std::string& text) {
            for (const std::string& f : forms)
                if (has(text, f)) return f;
            return std::string();
        };
        EXPECT(h.set("КлючAPI", Arg::S(canary), true), "КлючAPI = the canary");
        for (const std::string& f : forms) {
            // The forms hold no `"` or `\`: they go into the JSON text as they are.
            // count 3: the call retries a 500 twice (its default), every attempt must see the echo.
            std::string echo = "{\"path_prefix\":\"/carreta/v1/profile\",\"count\":3,\"status\":500,\"body\":\"{\\\"error\\\": \\\"GET /v1/profile/?api_key=" + f + "\\\"}\"}";
            std::string bad = "{\"path_prefix\":\"/carreta/v1/profile\",\"status\":200,\"body\":\"{\\\"balance\\\": \\\"x" + f + "\\\", \\\"currency\\\": \\\"RUB\\\"}\"}";
            for (const std::string* faultp : {&echo, &bad}) {
                const std::string& fault = *faultp;
                EXPECT(http(url, "POST", "/_control/faults", fault).compare(0, 1, "2") == 0, "fault armed");
                size_t before = pl6.error_count();
                bool failed = !h.call("Профиль", {}, &v);
                std::string le = h.last_error();
                std::string shown = pl6.error_count() > before ? pl6.last_error_record().descr : "";
                std::string found = leaked(le + "\n" + shown);
                const char* want = &fault == &echo ? "\"code\":\"server\"" : "\"code\":\"decode\"";
                EXPECT(failed && has(le, want) && found.empty(), "Профиль with the key echoed as %s -> false, %s; leaked: \"%s\"", f.c_str(),
                       shorten(le, 120).c_str(), found.c_str());
                http(url, "DELETE", "/_control/faults", "");
            }
        }
        const char* bad_urls[] = {"http://[::1/v1/?api_key=CANARY+abc/123=", "http://127.0.0.1:9/v1/?api_key=CANARY%2Babc%2F123%3D", "ftp://u:CANARY+abc/123=@host/"};
        for (const char* b : bad_urls) {
            bool refused = !h.set("АдресСервиса", Arg::S(b));
            std::string le = h.last_error();
            std::string found = leaked(le + "\n" + pl6.last_error_record().descr);
            EXPECT(refused && has(le, "base_url") && found.empty(), "АдресСервиса = a URL holding the key -> false, not echoed: %s; leaked: \"%s\"",
                   shorten(le, 160).c_str(), found.c_str());
        }
        http(url, "DELETE", "/_control/faults", "");
        EXPECT(h.set("КлючAPI", Arg::S(key), true), "КлючAPI set back");
    }
    destroy(ex, pl6, h);
    EXPECT(mm6.live == 0, "session 6 freed all %ld strings", mm6.total.load());

    ireca_session(ex);
    cargorun_session(ex);
    cargorun_issue13_session(ex);

    logf("== unload");
#ifdef _WIN32
    // After network calls the runtime's worker threads run the DLL's code: FreeLibrary must
    // leave it mapped (the DLL pins itself when its runtime starts), or they would fault in
    // unmapped memory. The module is looked up by an address inside it; then the threads
    // get two seconds to run (a crash would end this process with a non-zero status).
    BOOL freed = FreeLibrary(reinterpret_cast<HMODULE>(ex.lib));
    HMODULE still = nullptr;
    BOOL mapped = GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                                     reinterpret_cast<LPCWSTR>(ex.GetClassNames), &still);
    EXPECT(freed && mapped && still == reinterpret_cast<HMODULE>(ex.lib),
           "FreeLibrary -> %d, and the DLL stays mapped (pinned: its worker threads keep running safely)", int(freed));
    std::this_thread::sleep_for(std::chrono::seconds(2));
    logf("  two seconds after FreeLibrary: no fault");
#else
    int closed = dlclose(ex.lib);
    EXPECT(closed == 0, "dlclose -> %d (the library is NODELETE: its worker threads keep running safely)", closed);
#endif

    logf("== %d checks, %d failed", g_checks, g_failed);
    printf("%d passed, %d failed\n", g_checks - g_failed, g_failed);
    return g_failed ? 1 : 0;
}

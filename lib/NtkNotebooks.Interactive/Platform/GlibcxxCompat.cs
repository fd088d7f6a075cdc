// This file is compiled twice: into NtkNotebooks.Interactive (NTK_LIBRARY defined), where Course.Init calls it before
// TorchSharp loads inside an interactive host, and as an MSBuild inline task (lib/TorchSharpNativeFix.targets),
// which patches the NuGet cache before a build copies the native library. One source, so the two cannot drift.
// It therefore sticks to APIs available to MSBuild's RoslynCodeTaskFactory (netstandard2.0, C# 7.3 syntax).
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace NtkNotebooks.Platform
{
    /// <summary>
    /// Makes TorchSharp 0.107's <c>libLibTorchSharp.so</c> loadable on hosts whose libstdc++ lacks
    /// <c>GLIBCXX_3.4.32</c> (Debian 12, Ubuntu 22.04). See README, "Troubleshooting".
    /// </summary>
    /// <remarks>
    /// The library was built with GCC 13, which records a dependency on <c>GLIBCXX_3.4.32</c> for the single
    /// symbol <c>std::ios_base_library_init()</c>, a marker that is never called. Marking that one version
    /// requirement weak (flag <c>VER_FLG_WEAK</c> in the ELF <c>.gnu.version_r</c> section) lets the dynamic
    /// loader accept an older libstdc++; nothing else in the file changes. Hosts that already have the version
    /// are left untouched.
    /// </remarks>
    public static class GlibcxxCompat
    {
        /// <summary>The symbol version that Debian 12's libstdc++ (GLIBCXX_3.4.30) does not provide.</summary>
        public const string RequiredVersion = "GLIBCXX_3.4.32";

        const ushort VerFlagWeak = 0x2;

        static readonly string[] LibStdCxxCandidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
        };

        /// <summary>
        /// True when this is a Linux host whose system libstdc++ lacks <paramref name="version"/>, i.e. the patch is needed.
        /// </summary>
        public static bool HostNeedsPatch(string version = RequiredVersion)
        {
            if (Path.DirectorySeparatorChar != '/' || !Directory.Exists("/proc")) return false; // not Linux
            foreach (var candidate in LibStdCxxCandidates)
            {
                if (File.Exists(candidate)) return !FileContainsAscii(candidate, version + "\0"); // NUL: 3.4.3 must not match 3.4.32
            }
            return false; // no system libstdc++ found: nothing we can reason about, leave files alone
        }

        /// <summary>
        /// Marks the ELF version requirement <paramref name="version"/> of <paramref name="elfPath"/> weak.
        /// Idempotent; writes through a temporary file and an atomic rename, so a concurrent reader never sees a
        /// half-written library. Returns true when the file was changed.
        /// </summary>
        /// <exception cref="InvalidDataException">The file is not a 64-bit little-endian ELF file.</exception>
        public static bool WeakenVersionRequirement(string elfPath, string version = RequiredVersion) => SetWeakFlag(elfPath, version, true);

        /// <summary>Sets (<paramref name="weak"/>) or clears the weak flag; the tests use clearing to restore a shipped file.</summary>
        internal static bool SetWeakFlag(string elfPath, string version, bool weak)
        {
            var bytes = File.ReadAllBytes(elfPath);
            var changed = false;
            foreach (var offset in FindVernauxFlagOffsets(bytes, version, elfPath))
            {
                var flags = BitConverter.ToUInt16(bytes, offset);
                var updated = weak ? (ushort)(flags | VerFlagWeak) : (ushort)(flags & ~VerFlagWeak);
                if (updated == flags) continue;
                bytes[offset] = (byte)(updated & 0xff);
                bytes[offset + 1] = (byte)(updated >> 8);
                changed = true;
            }
            if (!changed) return false;

            var temp = elfPath + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.Copy(elfPath, temp); // keeps the file mode
            File.WriteAllBytes(temp, bytes);
            File.Replace(temp, elfPath, null);
            return true;
        }

        /// <summary>True when <paramref name="elfPath"/> still has a strong requirement on <paramref name="version"/>.</summary>
        public static bool HasStrongRequirement(string elfPath, string version = RequiredVersion)
        {
            var bytes = File.ReadAllBytes(elfPath);
            foreach (var offset in FindVernauxFlagOffsets(bytes, version, elfPath))
            {
                if ((BitConverter.ToUInt16(bytes, offset) & VerFlagWeak) == 0) return true;
            }
            return false;
        }

        /// <summary>Patches every existing file in <paramref name="paths"/> when the host needs it; returns the files changed.</summary>
        public static IList<string> PatchIfNeeded(IEnumerable<string> paths)
        {
            var changed = new List<string>();
            if (!HostNeedsPatch()) return changed;
            foreach (var path in paths)
            {
                if (File.Exists(path) && WeakenVersionRequirement(path)) changed.Add(path);
            }
            return changed;
        }

        // Walks .gnu.version_r (Elf64_Verneed records, each followed by its Elf64_Vernaux records) and returns the
        // byte offsets of vna_flags for every auxiliary entry whose name equals `version`.
        static List<int> FindVernauxFlagOffsets(byte[] elf, string version, string pathForErrors)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("'" + pathForErrors + "' is not an ELF file.");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("'" + pathForErrors + "' is not a 64-bit little-endian ELF file (class " + elf[4] + ", data " + elf[5] + ").");

            var sectionHeaderOffset = checked((int)BitConverter.ToUInt64(elf, 0x28));
            var sectionHeaderSize = BitConverter.ToUInt16(elf, 0x3A);
            var sectionCount = BitConverter.ToUInt16(elf, 0x3C);
            var namesIndex = BitConverter.ToUInt16(elf, 0x3E);

            Func<int, int> header = i => sectionHeaderOffset + i * sectionHeaderSize;
            Func<int, int> sectionOffset = i => checked((int)BitConverter.ToUInt64(elf, header(i) + 0x18));
            var namesOffset = sectionOffset(namesIndex);

            var result = new List<int>();
            for (var i = 0; i < sectionCount; i++)
            {
                var nameOffset = checked((int)BitConverter.ToUInt32(elf, header(i)));
                if (ReadCString(elf, namesOffset + nameOffset) != ".gnu.version_r") continue;

                var link = checked((int)BitConverter.ToUInt32(elf, header(i) + 0x28)); // sh_link: its string table
                var strings = sectionOffset(link);
                var verneed = sectionOffset(i);
                while (true)
                {
                    var auxCount = BitConverter.ToUInt16(elf, verneed + 2);
                    var aux = verneed + checked((int)BitConverter.ToUInt32(elf, verneed + 8));
                    for (var a = 0; a < auxCount; a++)
                    {
                        var name = ReadCString(elf, strings + checked((int)BitConverter.ToUInt32(elf, aux + 8)));
                        if (name == version) result.Add(aux + 4);
                        var nextAux = BitConverter.ToUInt32(elf, aux + 12);
                        if (nextAux == 0) break;
                        aux += checked((int)nextAux);
                    }
                    var next = BitConverter.ToUInt32(elf, verneed + 12);
                    if (next == 0) break;
                    verneed += checked((int)next);
                }
            }
            return result;
        }

        static string ReadCString(byte[] bytes, int offset)
        {
            var end = offset;
            while (end < bytes.Length && bytes[end] != 0) end++;
            return Encoding.ASCII.GetString(bytes, offset, end - offset);
        }

        static bool FileContainsAscii(string path, string text)
        {
            var needle = Encoding.ASCII.GetBytes(text);
            var hay = File.ReadAllBytes(path);
            for (var i = 0; i + needle.Length <= hay.Length; i++)
            {
                var j = 0;
                while (j < needle.Length && hay[i + j] == needle[j]) j++;
                if (j == needle.Length) return true;
            }
            return false;
        }
    }

#if !NTK_LIBRARY
    /// <summary>MSBuild task: applies <see cref="GlibcxxCompat"/> to the given native files when the host needs it.</summary>
    public class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = new Microsoft.Build.Framework.ITaskItem[0];

        public override bool Execute()
        {
            var paths = new List<string>();
            foreach (var item in Files) paths.Add(item.ItemSpec);
            foreach (var changed in GlibcxxCompat.PatchIfNeeded(paths))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    "TorchSharp fix: marked " + GlibcxxCompat.RequiredVersion + " weak in " + changed + " (host libstdc++ lacks it; see README, Troubleshooting).");
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}

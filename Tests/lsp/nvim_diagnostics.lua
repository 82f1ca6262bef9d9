-- Opens a spec in headless Neovim, starts `dspec lsp` and writes the diagnostics it receives,
-- one per line: CODE LINE:COL-END_LINE:END_COL MESSAGE (0-based, byte columns as Neovim keeps
-- them; newlines in messages as " | ").
--   DSPEC=.build/debug/dspec OUT=/tmp/d.txt nvim --headless -u NONE -n -c "luafile Tests/lsp/nvim_diagnostics.lua" SPEC
-- Neovim >= 0.8 has vim.lsp.start; Debian 12's 0.7.2 does not, so vim.lsp.start_client and
-- vim.lsp.buf_attach_client are used there (the same client, attached by hand).
local dspec = os.getenv("DSPEC") or "dspec"
local out = os.getenv("OUT") or "/dev/stdout"
local buf = vim.api.nvim_get_current_buf()
local config = { name = "dspec", cmd = { dspec, "lsp" }, root_dir = vim.fn.getcwd() }
local client_id
if vim.lsp.start then
  client_id = vim.lsp.start(config)
else
  client_id = vim.lsp.start_client(config)
  vim.lsp.buf_attach_client(buf, client_id)
end
local got = vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
local f = io.open(out, "w")
if not got then f:write("TIMEOUT no diagnostics\n") end
local diags = vim.diagnostic.get(buf)
table.sort(diags, function(a, b) return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col) end)
for _, d in ipairs(diags) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or "?"
  f:write(string.format("%s %d:%d-%d:%d %s\n", code, d.lnum, d.col, d.end_lnum, d.end_col, (d.message:gsub("\n", " | "))))
end
f:close()
vim.lsp.stop_client(client_id)
vim.cmd("qa!")

-- A real editor against `broker lsp`: Neovim's built-in LSP client, headless.
-- Opens a Markdown brief, waits for broker's diagnostics, prints them, the hover text of one
-- term and the quick-fix titles, applies the rewrite (an incremental change), checks it all
-- and ends with "editor: N passed, M failed" (exit code 1 when something failed).
-- Run by .ci/editor.sh: BROKER_BIN is the binary, BROKER_BRIEF the brief (a .broker.toml
-- above it names the reader and the glossary).

local bin = assert(os.getenv('BROKER_BIN'), 'BROKER_BIN')
local brief = assert(os.getenv('BROKER_BRIEF'), 'BROKER_BRIEF')
local passed, failed = 0, 0

local function say(line)
  io.stdout:write(line .. '\n')
end

local function check(name, ok, detail)
  if ok then
    passed = passed + 1
    say('ok    ' .. name)
  else
    failed = failed + 1
    say('FAIL  ' .. name .. (detail and (': ' .. detail) or ''))
  end
end

local function finish()
  say(string.format('editor: %d passed, %d failed', passed, failed))
  vim.lsp.stop_client(vim.lsp.get_active_clients())
  if failed > 0 then
    vim.cmd('cquit 1')
  else
    vim.cmd('qall!')
  end
end

local function code_of(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end

local function find(diags, code, word)
  for _, d in ipairs(diags) do
    if code_of(d) == code and d.message:find(word, 1, true) then
      return d
    end
  end
end

vim.cmd('edit ' .. vim.fn.fnameescape(brief))
local buf = vim.api.nvim_get_current_buf()
vim.bo[buf].filetype = 'markdown'
local client_id = vim.lsp.start_client({
  name = 'broker',
  cmd = { bin, 'lsp' },
  root_dir = vim.fn.fnamemodify(brief, ':p:h'),
})
check('the client starts', client_id ~= nil)
if not client_id then
  return finish()
end
vim.lsp.buf_attach_client(buf, client_id)
local client = vim.lsp.get_client_by_id(client_id)

local got = vim.wait(20000, function()
  return #vim.diagnostic.get(buf) > 0
end, 50)
check('diagnostics arrive', got)
local diags = vim.diagnostic.get(buf)
table.sort(diags, function(a, b)
  return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
end)
for _, d in ipairs(diags) do
  say(string.format('diagnostic %d:%d %s %s [%s]: %s', d.lnum + 1, d.col + 1,
    vim.diagnostic.severity[d.severity], code_of(d), d.source, d.message))
end

local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
local latency = find(diags, 'jargon', "'latency'")
check('jargon: latency', latency ~= nil)
if not latency then
  return finish()
end
-- Neovim columns are bytes: the emoji (4 bytes, 2 UTF-16 units) and 'é' were converted right.
local byte_col = lines[latency.lnum + 1]:find('latency', 1, true) - 1
check('latency at the right column', latency.col == byte_col and latency.end_col == byte_col + 7,
  string.format('%d-%d, expected %d', latency.col, latency.end_col, byte_col))
check('source is broker', latency.source == 'broker')
check('gap: OKRs', find(diags, 'gap', "'OKRs'") ~= nil)
check('false friend: pipeline', find(diags, 'false-friend', "'pipeline'") ~= nil)

-- Hover on 'latency'.
vim.api.nvim_win_set_cursor(0, { latency.lnum + 1, latency.col + 2 })
local hover = client.request_sync('textDocument/hover',
  vim.lsp.util.make_position_params(0, 'utf-16'), 10000, buf)
local text = hover and hover.result and hover.result.contents and hover.result.contents.value or ''
say('hover: ' .. text)
check('hover explains latency in marketing words',
  text:find('page speed: How long a customer waits', 1, true) ~= nil, text)

-- Quick fixes on 'latency' (the cursor's range, as `vim.lsp.buf.code_action()` asks).
vim.api.nvim_win_set_cursor(0, { latency.lnum + 1, latency.col })
local params = vim.lsp.util.make_range_params(0, 'utf-16')
params.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buf, latency.lnum) }
local actions = client.request_sync('textDocument/codeAction', params, 10000, buf)
local rewrite
local titles = {}
for _, a in ipairs(actions and actions.result or {}) do
  say('quick fix: ' .. a.title)
  table.insert(titles, a.title)
  if a.title:find('^Write') then
    rewrite = a
  end
end
check('quick fix: rewrite', rewrite ~= nil and rewrite.title == "Write 'page speed' for 'latency' (marketing's word)",
  table.concat(titles, ' | '))
check('quick fix: ignore comment',
  vim.tbl_contains(titles, 'Ignore this line for broker (<!-- broker-ignore-next-line -->)'))

-- The quick fix on a gap.
local okrs = find(diags, 'gap', "'OKRs'")
if okrs then
  vim.api.nvim_win_set_cursor(0, { okrs.lnum + 1, okrs.col })
  local p = vim.lsp.util.make_range_params(0, 'utf-16')
  p.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buf, okrs.lnum) }
  local r = client.request_sync('textDocument/codeAction', p, 10000, buf)
  local draft = false
  for _, a in ipairs(r and r.result or {}) do
    say('quick fix: ' .. a.title)
    draft = draft or (a.title == "Add a draft concept for 'OKRs' to glossary/drafts.toml"
      and a.command and a.command.command == 'broker.addDraft')
  end
  check('quick fix: add a draft concept', draft)
end

-- Apply the rewrite: Neovim sends an incremental didChange; the finding goes away.
if rewrite then
  vim.lsp.util.apply_workspace_edit(rewrite.edit, 'utf-16')
  local line = vim.api.nvim_buf_get_lines(buf, latency.lnum, latency.lnum + 1, false)[1]
  check('the rewrite edited the line', line:find('cut the page speed of the API', 1, true) ~= nil, line)
  local gone = vim.wait(20000, function()
    local now = vim.diagnostic.get(buf)
    return #now > 0 and find(now, 'jargon', "'latency'") == nil
  end, 50)
  check('diagnostics follow the change', gone)
end

finish()

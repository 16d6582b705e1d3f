#!/usr/bin/env bash
# 上报截稿（每个工作日 16:00 由定时任务运行）：生成下一期《上报》的清单草稿，放在分支上交给编辑。
#   scripts/daily-cutoff.sh [日期]
# 配置了 git 网站的命令行工具时（KANWU_HOST_CLI=tea|glab|gh）直接发起合并请求；否则只推送分支，
# 没有远程仓库时把分支留在本地，由编辑推送。
set -euo pipefail
cd "$(dirname "$0")/.."
day="${1:-$(date +%F)}"
bin="${KANWU_BIN:-.venv/bin}"
remote="${KANWU_REMOTE:-origin}"
base="${KANWU_BASE:-main}"
branch="assemble/daily-${day}"

if git remote get-url "$remote" >/dev/null 2>&1; then
  git fetch -q "$remote" "$base"
  git checkout -q -B "$branch" "$remote/$base"
else
  git checkout -q -B "$branch" "$base"
fi
out=$("$bin/kanwu" assemble 上报 --date "$day" --skip-holiday)
echo "$out"
if ! git status --porcelain -- issues | grep -q .; then
  git checkout -q "$base"
  exit 0
fi
git add issues
git commit -q -m "组期：《上报》${day}（截稿自动生成，待编辑调整）"
if git remote get-url "$remote" >/dev/null 2>&1; then
  git push -q -u "$remote" "$branch"
  title="组期：《上报》${day}"
  case "${KANWU_HOST_CLI:-}" in
    tea)  tea pulls create --head "$branch" --base "$base" --title "$title" --description "$out" ;;
    glab) glab mr create --source-branch "$branch" --target-branch "$base" --title "$title" --description "$out" --yes ;;
    gh)   gh pr create --head "$branch" --base "$base" --title "$title" --body "$out" ;;
    *)    echo "已推送分支 $branch，请在 git 网站上发起合并请求。" ;;
  esac
else
  echo "已在本地分支 $branch 上生成清单，请编辑调整后推送。"
fi
git checkout -q "$base"

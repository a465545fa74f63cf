//! Building the parent → children forest of activities.

use std::collections::HashMap;

use super::view::{ActivityNode, ActivityView};

/// Deepest level of an [`ActivityNode`] tree; an activity that would sit
/// deeper starts a tree of its own, so every activity appears exactly
/// once however deep (or cyclic) the parent links are.
pub const MAX_TREE_DEPTH: usize = 16;

/// Arranges `views` (active ones first, then ended ones, each newest first)
/// into trees by their `parent` ids.
///
/// Roots are activities whose parent is absent, unknown or themselves,
/// newest first; children are oldest first. When an id appears more than
/// once, a parent link points to the first (the active one, else the most
/// recently ended). Activities cut off by [`MAX_TREE_DEPTH`] and those in
/// a parent cycle follow as extra roots.
pub(crate) fn build(views: Vec<ActivityView>) -> Vec<ActivityNode> {
    let n = views.len();
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(n);
    for (i, v) in views.iter().enumerate() {
        first.entry(v.id.as_str()).or_insert(i);
    }
    let parent_of: Vec<Option<usize>> = views
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let p = *first.get(v.parent.as_deref()?)?;
            (p != i).then_some(p)
        })
        .collect();
    drop(first);

    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for (i, p) in parent_of.iter().enumerate() {
        match p {
            Some(p) => children[*p].push(i),
            None => roots.push(i),
        }
    }
    for kids in &mut children {
        kids.sort_by_key(|&i| views[i].started_at);
    }
    roots.sort_by_key(|&i| std::cmp::Reverse(views[i].started_at));

    let mut builder = Builder {
        views: views.into_iter().map(Some).collect(),
        children,
        cut: Vec::new(),
    };
    let mut forest = Vec::new();
    for root in roots {
        builder.root(root, &mut forest);
    }
    // Cycles: what no root reached, oldest first.
    let mut left: Vec<usize> = (0..n).filter(|&i| builder.views[i].is_some()).collect();
    left.sort_by_key(|&i| builder.views[i].as_ref().map(|v| v.started_at));
    for i in left {
        builder.root(i, &mut forest);
    }
    forest
}

struct Builder {
    views: Vec<Option<ActivityView>>,
    children: Vec<Vec<usize>>,
    /// Activities past the depth limit, waiting to become roots.
    cut: Vec<usize>,
}

impl Builder {
    /// Adds the tree of `i` (if not placed yet) and every tree the depth
    /// limit cut off from it.
    fn root(&mut self, i: usize, forest: &mut Vec<ActivityNode>) {
        self.cut.push(i);
        while let Some(next) = self.cut.pop() {
            if let Some(node) = self.node(next, 1) {
                forest.push(node);
            }
        }
    }

    fn node(&mut self, i: usize, depth: usize) -> Option<ActivityNode> {
        let activity = self.views.get_mut(i)?.take()?;
        let kids = std::mem::take(&mut self.children[i]);
        let mut children = Vec::with_capacity(kids.len());
        for k in kids {
            if depth >= MAX_TREE_DEPTH {
                self.cut.push(k);
            } else if let Some(child) = self.node(k, depth + 1) {
                children.push(child);
            }
        }
        Some(ActivityNode { activity, children })
    }
}

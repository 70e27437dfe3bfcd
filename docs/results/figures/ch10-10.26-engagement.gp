# made by workbook; re-plot with: gnuplot -p <this file>
set title 'What the models read' noenhanced
set xlabel 'model: 1 items only, 2 your features + integer positions, 3 your features + time' noenhanced
set ylabel 'fraction of rows' noenhanced
set grid
set key inside bottom right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
1 0.0002724424465
2 0.9831085683
3 0.9790219316
EOD
$s1 << EOD
1 0
2 0.4498933902
3 0.2004264392
EOD
plot $s0 using 1:2 with points pt 7 ps 1.1 title 'after a save or share: same category predicted', \
    $s1 using 1:2 with points pt 7 ps 1.1 title 'planted targets predicted'
